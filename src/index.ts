import { fail, run } from './main';

run().catch(fail);
