// Quorum's version (package.json), for the collector's row, healthz and the image label.
import pkg from '../package.json';

export const VERSION: string = pkg.version;
