export type BodyFormat = 'ndjson' | 'json' | 'text';

export const MEDIA_TYPES = new Map<string, BodyFormat>([
  ['application/x-ndjson', 'ndjson'],
  ['application/json', 'json'],
  ['text/plain', 'text'],
]);

/** The format a Content-Type asks for; undefined for anything else, a charset other than UTF-8 included. */
export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  if (contentType === undefined) return undefined;
  const [mediaType = '', ...parameters] = contentType.split(';');
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset' && !/^"?utf-?8"?$/i.test(value.trim())) return undefined;
  }
  return MEDIA_TYPES.get(mediaType.trim().toLowerCase());
}
