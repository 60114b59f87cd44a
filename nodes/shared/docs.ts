/** Where the package's documentation is read: the repository named in package.json `homepage`. */
const DOCS_BASE = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/docs';

/** The node's own page under docs/nodes/, which the editor's "Docs" link opens. */
export function nodeDocsUrl(page: string): string {
	return `${DOCS_BASE}/nodes/${page}.md`;
}
