// The baseline for "TUI first frame": a hello-world Ink app, bundled by bench/lib/hello.ts with the
// options scripts/build.mjs uses for the CLI. It renders one Text and exits.
import {Text, render} from 'ink';

const app = render(<Text>Hello from Ink</Text>);
app.unmount();
await app.waitUntilExit();
