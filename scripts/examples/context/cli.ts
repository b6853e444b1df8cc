// What the reader of a cli @example brings (see context/core.ts). Examples of internal modules
// use the parts a command is built from.
import type { CliIo } from '../../src/cli-io.ts';
import type { FlagSpec } from '../../src/parse-arguments.ts';
import type { ApiInvocation, OutputMode } from '../../src/parse-invocation.ts';
import type { TerminalStyle } from '../../src/terminal-style.ts';
import type { DocumentRow, RequestView, WatchSummary } from '../../src/watch-model.ts';

export declare const io: CliIo;
export declare const invocation: ApiInvocation;
export declare const mode: OutputMode;
export declare const flagSpecs: readonly FlagSpec[];
export declare const style: TerminalStyle;
export declare const row: DocumentRow;
export declare const rows: readonly DocumentRow[];
export declare const view: RequestView;
export declare const summary: WatchSummary;
export declare const progress: { fraction: number };
export declare const startedAt: number;
export declare const apiKey: string;
export declare const id: string;
export declare const documentId: string;
export declare const requestId: string;
/** A caught error. */
export declare const error: unknown;
export declare function notifyTeam(): void;
