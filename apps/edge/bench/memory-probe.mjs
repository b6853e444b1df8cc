// Preloaded (`node --expose-gc --import`) into the proxy process of the memory phase only: on a
// message from the bench over the IPC channel, it runs a full garbage collection and answers with
// process.memoryUsage(), so the report can show what the process retains, not only its RSS (V8
// lets garbage pile up before collecting, so RSS alone overstates what is kept).
process.channel?.unref();
process.on('message', (message) => {
  if (message?.type !== 'memory') return;
  globalThis.gc?.();
  process.send?.({ type: 'memory', id: message.id, usage: process.memoryUsage() });
});
