// The Node.js side of the HTTP overhead experiment: the same server shape as
// io.tether.benchmarks.HttpOverheadServer. Each request hops to later work (setImmediate, Node's
// nearest thing to handing work to a pool), a dependent stage (a promise reaction) writes a log
// line with the request id, and the response is sent when the stage completes.
//   node http-overhead-server.js MODE PORT     MODE: none | als | hooks
// none: the id travels as a variable; als: the handler runs in AsyncLocalStorage.run(id, ...) and
// the stage reads the id from the storage; hooks: as none, with async_hooks.createHook enabled
// with all five callbacks doing nothing. GET /stats answers requests=N mismatches=N live=0.
'use strict';
const http = require('node:http');
const { AsyncLocalStorage, createHook } = require('node:async_hooks');

const [mode, portText] = process.argv.slice(2);
if (!['none', 'als', 'hooks'].includes(mode) || !/^\d+$/.test(portText || '')) {
  console.error(`usage: node http-overhead-server.js none|als|hooks PORT; was ${process.argv.slice(2).join(' ')}`);
  process.exit(2);
}
const tracked = mode === 'als';
const requestId = new AsyncLocalStorage();
if (mode === 'hooks') {
  createHook({ init() {}, before() {}, after() {}, destroy() {}, promiseResolve() {} }).enable();
}
let ids = 0;
let mismatches = 0;

function lookUp(id) {
  return 'user-' + (Math.imul(id, 0x9E3779B9) >>> 0).toString(16) + '\n';
}

function respond(res, body) {
  res.setHeader('Content-Type', 'text/plain');
  res.end(body);
}

function serve(res, id) {
  new Promise((resolve) => setImmediate(() => resolve(lookUp(id))))
    .then((value) => {
      const seen = tracked ? requestId.getStore() : id;
      if (seen !== id) mismatches++;
      console.log(`request ${seen} served: ${value}`);
      return value;
    })
    .then((body) => respond(res, body), (failure) => respond(res, String(failure)));
}

const server = http.createServer((req, res) => {
  if (req.url === '/stats') {
    respond(res, `requests=${ids} mismatches=${mismatches} live=0\n`);
    return;
  }
  const id = ++ids;
  if (tracked) {
    requestId.run(id, () => serve(res, id));
  } else {
    serve(res, id);
  }
});
server.listen(Number(portText), '127.0.0.1', () => {
  console.error(`listening on 127.0.0.1:${portText} mode ${mode}`);
});
