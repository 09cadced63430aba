/** The in-context-learning-by-gradient-descent tasks, as the task registry lists them. */
import { iclGdTask } from './icl_gd_task.js';
import { iclLinearRegressionTask } from './icl_lsa_task.js';

export const ICL_TASKS = [iclLinearRegressionTask, iclGdTask] as const;
