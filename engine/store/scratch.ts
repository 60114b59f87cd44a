import type { Db, Row, SqlClient } from './db';
import { Store } from './store';

/** Thrown to roll the scratch transaction back once the work is done. */
class DiscardScratch<T> extends Error {
	constructor(readonly result: T) {
		super('scratch run: nothing is kept');
	}
}

/**
 * Runs `work` against a store whose every write lands in one transaction that is then rolled
 * back: the work sees its own writes (and the real data), the store keeps none of them. For
 * "test mode" on the n8n canvas: a node shows what it would do on sample data without booking it.
 */
export async function withoutKeeping<T>(store: Store, work: (scratch: Store) => Promise<T>): Promise<T> {
	try {
		await store.transaction(async (sql) => {
			throw new DiscardScratch(await work(new Store(scratchDb(sql), store.tables)));
		});
	} catch (error) {
		if (error instanceof DiscardScratch) return error.result as T;
		throw error;
	}
	throw new Error('unreachable: the scratch transaction always rolls back');
}

/** A Db whose transactions are the outer one: nested work joins it instead of opening its own. */
function scratchDb(sql: SqlClient): Db {
	return {
		dialect: sql.dialect,
		query: <R extends Row = Row>(text: string, params?: readonly unknown[]) => sql.query<R>(text, params),
		execute: (text: string, params?: readonly unknown[]) => sql.execute(text, params),
		transaction: <T>(work: (tx: SqlClient) => Promise<T>) => work(sql),
		close: async () => undefined,
	};
}
