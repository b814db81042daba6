import os from 'node:os';
import path from 'node:path';
import {type LiveConfig, type LiveOptions, liveBusFor} from '../monitor/live.js';
import {Fleet} from './fleet.js';
import {LOCAL_NAME, LocalMachine} from './local.js';
import {type Hello, busKey} from './protocol.js';
import {type Connector, RemoteMachine} from './remote.js';
import {type RemoteSpec, explainFailure, startTransport} from './transport.js';
import type {MachineSource} from './types.js';

/** How a remote is reached: its transport, started anew for each connection, and its failures explained. */
export function connectorFor(spec: RemoteSpec, sshCommand: readonly string[], env: NodeJS.ProcessEnv = process.env): Connector {
	return {
		connect: () => startTransport(spec, sshCommand, env),
		explain: (exit, stderr) => explainFailure(spec, {code: exit.code, signal: exit.signal, error: exit.error ?? null}, stderr),
	};
}

/** What a fleet takes from the settings (a resolved Config holds all of it). */
export type FleetConfig = LiveConfig & {noLocal: boolean; remotes: RemoteSpec[]; sshCommand: string[]};

export type FleetOptions = {
	/** The local bus's live reader. */
	live?: Partial<LiveOptions>;
	/** Told of every machine's readings, each marked with its machine and whether it is the first since a connect (notifications). */
	onReading?: LiveOptions['onReading'];
	/** false: remotes only say hello (the status line asks for counts); default true. */
	subscribe?: boolean;
	env?: NodeJS.ProcessEnv;
};

/**
 * The fleet a configuration names: this machine's bus (unless --no-local), then each
 * remote in the order named. A remote whose hello names a bus already in the fleet (same
 * host, same database path) is a duplicate: flagged, not merged twice.
 */
export function fleetFor(config: FleetConfig, options: FleetOptions = {}): Fleet {
	const sources: MachineSource[] = [];
	const live = options.onReading ? {...options.live, onReading: options.onReading} : options.live;
	if (!config.noLocal) sources.push(new LocalMachine(liveBusFor(config, live), config.readOnly));
	sources.push(...remotesFor(config, options));
	return new Fleet(sources);
}

/**
 * The configuration's remotes, in the order named. A hello naming the bus of the local
 * machine (unless --no-local) or of a remote named before it is a duplicate, whichever said
 * hello first; each remote's bus is the one its latest hello named.
 */
export function remotesFor(config: FleetConfig, options: Omit<FleetOptions, 'live'> = {}): RemoteMachine[] {
	const names = [...(config.noLocal ? [] : [LOCAL_NAME]), ...config.remotes.map(spec => spec.name)];
	const buses = new Map<string, string>();
	if (!config.noLocal) buses.set(LOCAL_NAME, busKey(os.hostname(), path.resolve(config.dbPath)));
	const duplicateOf = (name: string) => (hello: Hello) => {
		const key = busKey(hello.hostname, hello.database);
		buses.set(name, key);
		return names.slice(0, names.indexOf(name)).find(earlier => buses.get(earlier) === key) ?? null;
	};
	return config.remotes.map(
		spec =>
			new RemoteMachine({
				name: spec.name,
				connector: connectorFor(spec, config.sshCommand, options.env),
				duplicateOf: duplicateOf(spec.name),
				subscribe: options.subscribe,
				readOnly: config.readOnly,
				onReading: options.onReading,
			}),
	);
}
