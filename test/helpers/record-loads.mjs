// `node --import ./record-loads.mjs ...`: appends the URL of every module the program loads
// to the file named by RECORD_LOADS, so a test can tell which parts of the bundle a command used.
import {register} from 'node:module';

register(
	'data:text/javascript,' +
		encodeURIComponent(`
import fs from 'node:fs';
export async function load(url, context, next) {
	fs.appendFileSync(process.env.RECORD_LOADS, url + '\\n');
	return next(url, context);
}`),
	import.meta.url,
);
