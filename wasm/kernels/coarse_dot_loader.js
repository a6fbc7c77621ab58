// --pre-js of the engines: the coarse-dot kernel (coarse_dot.wat, bytes from assemble.mjs)
// instantiated on the engine's own memory, once per thread (each pthread is a worker with its
// own JS), or null where this JS engine has no relaxed SIMD.
var saematchCoarseDot = (function () {
  var instance;  // undefined: not tried yet in this thread
  return function (memory) {
    if (instance === undefined) {
      var shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      var text = shared ? saematchCoarseDotBytes.shared : saematchCoarseDotBytes.plain;
      var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
      try {
        instance = WebAssembly.validate(bytes) ? new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: memory } }) : null;
      } catch (e) {
        instance = null;  // e.g. a memory it cannot import: the exact int8 kernel serves instead
      }
    }
    return instance;
  };
})();
