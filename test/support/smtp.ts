/**
 * A stand-in for an SMTP server, for tests only: it speaks just enough SMTP (EHLO, AUTH accepted
 * as given, MAIL, RCPT, DATA, QUIT; no TLS) for n8n's Send Email node (nodemailer) to hand it a
 * message, and records every message instead of delivering it. Not a mail server.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export interface RecordedMail {
	from: string;
	to: string[];
	subject: string;
	/** The text body, quoted-printable and base64 undone. */
	text: string;
	raw: string;
}

export interface SmtpStandIn {
	host: string;
	port: number;
	messages: RecordedMail[];
	/** Resolves with the first recorded message that matches, or rejects after `timeoutMs`. */
	waitFor(match: (mail: RecordedMail) => boolean, timeoutMs?: number): Promise<RecordedMail>;
	stop(): Promise<void>;
}

export async function startSmtpStandIn(): Promise<SmtpStandIn> {
	const messages: RecordedMail[] = [];
	const waiters = new Set<() => void>();
	const sockets = new Set<Socket>();
	const server: Server = createServer((socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
		serve(socket, (mail) => {
			messages.push(mail);
			for (const wake of waiters) wake();
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('the SMTP stand-in has no port');
	return {
		host: '127.0.0.1',
		port: address.port,
		messages,
		waitFor(match, timeoutMs = 60_000) {
			return new Promise((resolve, reject) => {
				const check = () => {
					const found = messages.find(match);
					if (!found) return;
					clearTimeout(timer);
					waiters.delete(check);
					resolve(found);
				};
				const timer = setTimeout(() => {
					waiters.delete(check);
					reject(new Error(`no matching email within ${timeoutMs} ms (${messages.length} recorded: ${messages.map((m) => m.subject).join(' | ')})`));
				}, timeoutMs);
				waiters.add(check);
				check();
			});
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

function serve(socket: Socket, record: (mail: RecordedMail) => void): void {
	let buffer = '';
	let inData = false;
	let awaitingAuthLines = 0;
	let from = '';
	let to: string[] = [];
	const reply = (line: string) => socket.write(`${line}\r\n`);
	reply('220 smtp stand-in ready');
	socket.on('data', (chunk: Buffer) => {
		buffer += chunk.toString('utf8');
		for (;;) {
			if (inData) {
				const end = buffer.indexOf('\r\n.\r\n');
				if (end < 0) return;
				const raw = buffer.slice(0, end).replace(/^\.\./gm, '.');
				buffer = buffer.slice(end + 5);
				inData = false;
				record(parseMail(from, to, raw));
				from = '';
				to = [];
				reply('250 recorded');
				continue;
			}
			const newline = buffer.indexOf('\r\n');
			if (newline < 0) return;
			const line = buffer.slice(0, newline);
			buffer = buffer.slice(newline + 2);
			if (awaitingAuthLines > 0) {
				awaitingAuthLines--;
				reply(awaitingAuthLines > 0 ? '334 UGFzc3dvcmQ6' : '235 accepted');
				continue;
			}
			const verb = line.slice(0, 4).toUpperCase();
			if (verb === 'EHLO') {
				socket.write('250-smtp stand-in\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n');
			} else if (verb === 'HELO') reply('250 smtp stand-in');
			else if (verb === 'AUTH') {
				const [, method, initial] = line.split(' ');
				if (method?.toUpperCase() === 'LOGIN') {
					awaitingAuthLines = initial ? 1 : 2;
					reply(initial ? '334 UGFzc3dvcmQ6' : '334 VXNlcm5hbWU6');
				} else if (initial) reply('235 accepted');
				else {
					awaitingAuthLines = 1;
					reply('334 ');
				}
			} else if (verb === 'MAIL') {
				from = /<([^>]*)>/.exec(line)?.[1] ?? '';
				reply('250 ok');
			} else if (verb === 'RCPT') {
				to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
				reply('250 ok');
			} else if (verb === 'DATA') {
				inData = true;
				reply('354 end with <CRLF>.<CRLF>');
			} else if (verb === 'QUIT') {
				reply('221 bye');
				socket.end();
				return;
			} else reply('250 ok');
		}
	});
	socket.on('error', () => undefined);
}

function parseMail(from: string, to: string[], raw: string): RecordedMail {
	const split = raw.indexOf('\r\n\r\n');
	const head = split < 0 ? raw : raw.slice(0, split);
	const body = split < 0 ? '' : raw.slice(split + 4);
	const headers = new Map<string, string>();
	for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
	}
	const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
	const text = encoding === 'quoted-printable' ? quotedPrintable(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
	return { from, to, subject: encodedWords(headers.get('subject') ?? ''), text, raw };
}

function quotedPrintable(text: string): string {
	const bytes = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=), as nodemailer writes non-ASCII subjects. */
function encodedWords(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?[^?]+\?([QB])\?([^?]*)\?=/gi, (_, kind: string, data: string) =>
			kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : quotedPrintable(data.replace(/_/g, ' ')),
		);
}
