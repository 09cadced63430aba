/** The commands of `evometa`, in the order `evometa --help` lists them. Each module loads its heavy parts when it runs. */
import type { Command } from './command.js';
import { searchCommand } from './search.js';
import { resumeCommand } from './resume.js';
import { reportCommand } from './report.js';
import { exportCommand } from './export.js';
import { replayCommand } from './replay.js';
import { pretrainBankCommand } from './pretrain_bank.js';
import { trainHtCommand } from './train_ht.js';
import { trainChtCommand } from './train_cht.js';
import { listCommand } from './list.js';
import { startCommand } from './start.js';
import { workerCommand } from './worker.js';
import { statusCommand } from './status.js';
import { serveCommand } from './serve.js';

export const COMMANDS: readonly Command[] = [searchCommand, resumeCommand, reportCommand, exportCommand, replayCommand, pretrainBankCommand, trainHtCommand, trainChtCommand, workerCommand, statusCommand, serveCommand, listCommand, startCommand];
