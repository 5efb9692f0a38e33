import { fail, run } from './main';

// Errors thrown outside run()'s promise (an emitter without a listener) end the step the same way:
// one annotation, no stack trace. The state after such an error is unknown, so the step stops.
const stop = (e: unknown): void => {
  fail(e);
  process.exit();
};
process.on('uncaughtException', stop);
process.on('unhandledRejection', stop);
run().catch(fail);
