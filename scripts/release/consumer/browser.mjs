// The browser bundle: core and poller through esbuild with platform "browser" (no Node built-ins).
import { createNeurolinkerClient } from '@neurostatus/core';
import { documentStatusJsonSchema } from '@neurostatus/core/json-schema';
import { watchStatus } from '@neurostatus/poller';

globalThis.neurostatus = { createNeurolinkerClient, documentStatusJsonSchema, watchStatus };
