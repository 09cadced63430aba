/** Registry of tasks: the names the CLI and config files use. */
import type { Task } from '../src/core/task.js';
import { FUNCTION_TASKS } from './function_tasks.js';
import { faultyTask } from './faulty.js';
import { linearRegressionTask } from './linear_regression.js';
import { blurBooleanTask, blurFashionMnistTask, blurMnistTask } from './blur/blur_tasks.js';
import { orderingTransferTask } from './ordering/ordering_tasks.js';
import { htFewShotTask } from './ht/ht_tasks.js';
import { ICL_TASKS } from './icl/icl_tasks.js';
import { chtContinualTask } from './cht/cht_tasks.js';

export const TASKS: Readonly<Record<string, Task<any, any>>> = Object.fromEntries(
  [...FUNCTION_TASKS, linearRegressionTask, blurBooleanTask, blurMnistTask, blurFashionMnistTask, orderingTransferTask, htFewShotTask, chtContinualTask, ...ICL_TASKS, faultyTask].map((t) => [t.name, t]),
);
