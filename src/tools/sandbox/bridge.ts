/**
 * The in-sandbox half of the network path. The sandbox has its own, empty network namespace
 * (only loopback), so commands cannot reach anything directly. When `sandbox_network` allows
 * some network, this tiny node script runs first inside the sandbox: it listens on the
 * sandbox's own 127.0.0.1:<port> and pipes each connection to the proxy's unix socket, which is
 * bind-mounted in. HTTP_PROXY and friends point at it. Then it starts the command with the same
 * stdio and leaves with its exit status; the sandbox (and the bridge) end with the command.
 *
 * argv: <port> <socket> <program> <args…>. CommonJS, no dependencies: run with `node -e`.
 */
export const BRIDGE_SCRIPT = `
const net = require('net'), cp = require('child_process'), os = require('os');
const [port, sock, ...cmd] = process.argv.slice(1);
const server = net.createServer((c) => {
  const u = net.connect(sock);
  c.pipe(u); u.pipe(c);
  const end = () => { c.destroy(); u.destroy(); };
  c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
});
server.on('error', (e) => { process.stderr.write('pocketpaw sandbox: the network bridge failed: ' + e.message + '\\n'); process.exit(125); });
server.listen(Number(port), '127.0.0.1', () => {
  const child = cp.spawn(cmd[0], cmd.slice(1), { stdio: 'inherit' });
  child.on('error', (e) => { process.stderr.write('pocketpaw sandbox: ' + e.message + '\\n'); process.exit(127); });
  child.on('exit', (code, sig) => process.exit(code ?? 128 + (os.constants.signals[sig] || 0)));
});
`.trim();

/** The bridge's port inside the sandbox (each sandbox has its own loopback, so a fixed port never clashes). */
export const BRIDGE_PORT = 3128;
