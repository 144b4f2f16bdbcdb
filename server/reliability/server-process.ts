// A real server process for the restart test: createServer (no Next) from the environment, the bound port printed
// as `READY <port>` on stdout; SIGTERM closes it. The test SIGKILLs its process group to simulate a crash.
import { createServer } from '../app';
import { loadEnv } from '../env';

const server = await createServer({
  env: loadEnv(), next: false, hostname: '127.0.0.1', log: (m) => process.stderr.write(`[server] ${m}\n`),
});
process.stdout.write(`READY ${server.port}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0), () => process.exit(1));
});
