// How JSON request bodies are read, for every route (fastify-plugin: content-type parsers are per context).
// An empty body is an empty object (DRF accepted `POST .../cancel/` with no body); JSON nested deeper than
// MAX_JSON_DEPTH is refused; everything else goes through Fastify's parser, which rejects __proto__/constructor keys.
import fp from 'fastify-plugin';

/** Deeper JSON is refused: the REST adapter re-serialises bodies recursively and overflows the stack near 4000. */
const MAX_JSON_DEPTH = 64;

function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export const jsonBodyPlugin = fp(
  async (app) => {
    const defaultJson = app.getDefaultJsonParser('error', 'error');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      if (typeof body === 'string' && body.trim() === '') return done(null, {});
      if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
        return done(
          Object.assign(new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400 }),
          undefined,
        );
      }
      return defaultJson(req, body as string, done);
    });
  },
  { name: 'json-body' },
);
