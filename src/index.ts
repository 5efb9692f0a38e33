import { fail, run } from './main';

// Errors thrown outside run()'s promise (an emitter without a listener) end the step the same way.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
run().catch(fail);
