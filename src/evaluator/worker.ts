/** Piscina worker entry: each thread imports this once and keeps its backend and dataset caches. */
import { runJob } from './run_job.js';

export default runJob;
