/**
 * A sink encoder for the parse-worker tests, loaded by the workers from its recipe (plain JavaScript: workers load no
 * TypeScript). Each payload is the event's id, `config.mark` if given (to tell a worker's payloads from the main
 * thread's) and a newline; the event whose id is `config.stuckOn` never finishes encoding (a busy loop), like a worker
 * stuck on a batch. Only the workers build it: the sink's own encoder, used when the pipeline processes a batch itself,
 * is the same without the loop and the mark.
 */
export function stuckEncoder(_id, config) {
  return {
    encode(event) {
      const id = event.document.event?.id;
      if (id === config.stuckOn) for (;;);
      return Buffer.from(`${id}${config.mark ?? ''}\n`);
    },
  };
}
