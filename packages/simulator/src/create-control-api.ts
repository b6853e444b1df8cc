import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseCreateRequestInput } from './create-request-input.ts';
import type { Simulator } from './create-simulator.ts';
import type { SimulatorEnv } from './create-status-api.ts';
import { detailResponse, reasonPhrase } from './error-responses.ts';
import { readObject, readOptionalNumber } from './field-readers.ts';
import { parseSimulatorFault } from './simulator-fault.ts';

/** Control bodies are a few fields; anything bigger is a mistake or an attack. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Creates the `/_sim` control API: an HTTP face of the {@link Simulator} methods, for tests that
 * drive a simulator in another process. It has no authentication, so it is for tests only;
 * `controlApi: false` removes it.
 *
 * @example
 * ```ts
 * app.route('/_sim', createControlApi(simulator, true));
 * ```
 */
export function createControlApi(simulator: Simulator, manualClock: boolean): Hono<SimulatorEnv> {
  const control = new Hono<SimulatorEnv>();
  control.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => detailResponse(413, reasonPhrase(413)),
    }),
  );

  control.post('/requests', async (c) => {
    const input = await readBody(c, parseCreateRequestInput);
    if (input instanceof Response) return input;
    try {
      const { requestId, documentIds } = simulator.createRequest(input);
      return c.json({ request_id: requestId, document_ids: documentIds }, 201);
    } catch (error) {
      return badRequest(error);
    }
  });

  control.post('/faults', async (c) => {
    const fault = await readBody(c, parseSimulatorFault);
    if (fault instanceof Response) return fault;
    return c.json({ id: simulator.setFault(fault) }, 201);
  });
  control.delete('/faults', (c) => {
    simulator.clearFaults();
    return c.body(null, 204);
  });
  control.delete('/faults/:id', (c) =>
    simulator.removeFault(c.req.param('id'))
      ? c.body(null, 204)
      : detailResponse(404, 'Fault not found'),
  );

  control.get('/stats', (c) => c.json(simulator.stats()));
  control.delete('/stats', (c) => {
    simulator.resetStats();
    return c.body(null, 204);
  });

  control.post('/clock/advance', async (c) => {
    const body = await readBody(c, (value) => {
      const ms = readOptionalNumber(readObject(value, 'body', ['ms']), 'ms', 'body', { min: 0 });
      if (ms === undefined) throw new TypeError('body.ms is required');
      return ms;
    });
    if (body instanceof Response) return body;
    if (!manualClock) {
      return detailResponse(409, 'The simulator does not run on a manual clock');
    }
    simulator.advance(body);
    return c.json({ now: simulator.now() });
  });

  control.post('/reset', (c) => {
    simulator.reset();
    return c.body(null, 204);
  });

  return control;
}

async function readBody<T>(
  c: Context<SimulatorEnv>,
  parse: (value: unknown) => T,
): Promise<T | Response> {
  let value: unknown;
  try {
    value = JSON.parse(await c.req.text());
  } catch {
    return detailResponse(400, 'The request body must be valid JSON');
  }
  try {
    return parse(value);
  } catch (error) {
    return badRequest(error);
  }
}

function badRequest(error: unknown): Response {
  // Only our own validation errors are shown; anything else goes to app.onError as a 500.
  if (error instanceof TypeError) return detailResponse(400, error.message);
  throw error;
}
