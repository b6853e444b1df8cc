// require() of the ESM-only packages: Node 20.19+ loads ES modules without top-level await.
const assert = require('node:assert/strict');
const core = require('@neurostatus/core');
const poller = require('@neurostatus/poller');
const { documentStatusJsonSchema } = require('@neurostatus/core/json-schema');
assert.equal(typeof core.createNeurolinkerClient, 'function');
assert.equal(typeof poller.waitForDocument, 'function');
assert.equal(documentStatusJsonSchema().type, 'object');
console.log(`require ok on node ${process.version}`);
