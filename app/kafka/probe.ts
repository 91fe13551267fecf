import { Admin } from '@platformatic/kafka';

export interface ClusterInfo {
  clusterId: string;
  brokers: string[];
  controllerId: number;
}

/**
 * A Metadata request through the same client the pipeline uses: it answers only once the broker has registered with
 * its controller and is unfenced (fenced brokers are not listed), which is when it can take produce requests.
 * Undefined when nothing answers in time.
 */
export async function probeKafka(bootstrap: string[], timeoutMs = 3000): Promise<ClusterInfo | undefined> {
  const admin = new Admin({
    clientId: 'fortiems-probe',
    bootstrapBrokers: bootstrap,
    retries: 0,
    connectTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    timeout: timeoutMs,
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    if (metadata.brokers.size === 0) return undefined;
    return {
      clusterId: metadata.id,
      brokers: [...metadata.brokers.values()].map((b) => `${b.host}:${b.port}`),
      controllerId: metadata.controllerId,
    };
  } catch {
    return undefined;
  } finally {
    await admin.close().catch(() => undefined);
  }
}
