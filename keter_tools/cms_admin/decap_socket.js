// decap-server's file-system back end (node_modules/decap-server, pinned), listening on a Unix
// socket instead of a TCP port: `node decap_socket.js SOCKET`. The socket lies in a folder
// only this user can open (keter_tools.cms makes it, mode 0700), and the preview server
// is its one client: it checks every request (Host, Origin, the session's key, the paths)
// before passing it on. decap-server's own entry point can only listen on a TCP port, which
// any local process could reach; its published middlewares module is the supported way to put
// its API into an Express app of one's own. Never served at /admin/ (cms.admin_file names what is).
"use strict";

const path = require("path");

const socketPath = process.argv[2];
if (!socketPath) {
  console.error("usage: node decap_socket.js SOCKET");
  process.exit(2);
}
const decapServer = path.dirname(require.resolve("decap-server/package.json", { paths: [process.cwd()] }));
const express = require(require.resolve("express", { paths: [decapServer] }));
const { registerLocalFs } = require(path.join(decapServer, "dist", "middlewares.js"));

const app = express();
registerLocalFs(app, { logLevel: process.env.LOG_LEVEL || "info" }).then(() => {
  const server = app.listen(socketPath, () => console.log(`decap-server listening on ${socketPath}`));
  server.on("error", (error) => {
    console.error(`decap-server could not listen on ${socketPath}: ${error.message}`);
    process.exit(1);
  });
}, (error) => {
  console.error(`decap-server did not start: ${error.message}`);
  process.exit(1);
});
