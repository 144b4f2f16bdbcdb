// Test-only preload for server/main.test.ts (`node --import tsx --import <this>`): on SIGUSR2 the process gets an
// unhandled promise rejection and an uncaught exception from outside the server's code, like a stray callback would.
process.on('SIGUSR2', () => {
  void Promise.reject(new Error('test fault: a rejected promise nobody handles'));
  setImmediate(() => {
    throw new Error('test fault: an exception nobody catches');
  });
});
