// n8n loads this package's nodes and credentials from the "n8n" section of package.json (the
// compiled files under dist/). This entry point exists because community packages conventionally
// have one; it exports nothing.
module.exports = {};
