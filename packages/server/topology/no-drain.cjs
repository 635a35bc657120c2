// The negative control's breakage, loaded with `node --require` by the topology harness only: the API process
// never gets its SIGTERM/SIGINT handlers, so a SIGTERM ends it at once, as a process without a graceful drain.
'use strict';
const on = process.on.bind(process);
process.on = (event, listener) => (event === 'SIGTERM' || event === 'SIGINT' ? process : on(event, listener));
