// The image's entrypoint (Dockerfile): one command per process, no shell needed.
//   web [--hostname H --port P]   the web app (scripts/web-server.ts)
//   collector                     the collector (lib/collector/main.ts)
//   quorum …                      the CLI (scripts/quorum.ts): user add, backup, keys check, …
//   migrate                       apply pending migrations and exit (scripts/db-migrate.ts)
// Every process migrates at start anyway (under the migration lock, lib/db/migrate.ts); `migrate`
// is for a Job or an init container when you prefer to migrate before rolling out.
const commands: Record<string, string> = {
  web: '../scripts/web-server.ts',
  collector: '../lib/collector/main.ts',
  quorum: '../scripts/quorum.ts',
  migrate: '../scripts/db-migrate.ts',
};

const [, , cmd, ...rest] = process.argv;
const target = cmd ? commands[cmd] : undefined;
if (!target) {
  console.error(`usage: (web [--hostname H] [--port P] | collector | quorum <command> … | migrate); got ${cmd ? `"${cmd}"` : 'nothing'}`);
  process.exit(2);
}
// The module reads its own arguments from process.argv: as if it had been started directly.
process.argv = [process.argv[0]!, new URL(target, import.meta.url).pathname, ...rest];
await import(target);
