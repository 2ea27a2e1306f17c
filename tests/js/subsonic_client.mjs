// SPDX-License-Identifier: GPL-3.0-or-later
// The Subsonic client of tests/integration/test_subsonic_client.py:
// subsonic-api (the npm package of tests/js/package.json) asks
// mediamon's /rest what a player asks, through the library's own methods
// and its own logins (the t+s token, or the apiKey), and prints one JSON
// array with a record of each call: its method, its arguments, the URL
// the library built, the HTTP status, and for a JSON answer the body as
// it came (the test checks it against the OpenSubsonic schemas) and what
// the library made of it; for a file its length, SHA-256, type and
// Content-Range. It asserts nothing: the test does.
//
//	node subsonic_client.mjs '{"url": "http://127.0.0.1:PORT",
//		"auth": {"username": U, "password": P} | {"apiKey": K},
//		"plan": "every" | "few", "songs": [ID...],
//		"range": "bytes=4-99"}'
//
// "every" walks the music (getArtists, getArtist, getAlbum) and asks
// every method of issue 67 about what it found, then makes and changes
// the account's own playlist, bookmark, queue and rating (part "edits"
// of the records; the others are "browse"); "few" asks ping, and
// with songs getArtists and getSong of each, as a login's check.
import { createHash, webcrypto } from "node:crypto";
import { SubsonicAPI } from "subsonic-api";

const cfg = JSON.parse(process.argv[2]);
const records = [];
let wire = null;
// The part of the plan the calls made now belong to, kept in each record.
let part = "browse";

// A fetch for the library that keeps a copy of each answer, with the
// headers extra added to the library's.
function recording(extra) {
	return async (url, init) => {
		const headers = { ...(init.headers || {}), ...extra };
		const res = await fetch(url, { ...init, headers });
		wire = { url: String(url), res: res.clone() };
		return res;
	};
}

function client(extra) {
	return new SubsonicAPI({
		url: cfg.url,
		auth: cfg.auth,
		fetch: recording(extra),
		crypto: webcrypto,
	});
}

const api = client({});
const ranged = client(cfg.range ? { Range: cfg.range } : {});

function head(method, args) {
	const res = wire.res;
	return {
		method,
		part,
		args: args ?? {},
		url: wire.url,
		status: res.status,
		type: res.headers.get("content-type"),
	};
}

// A method whose answer is a subsonic-response.
async function json(method, args, lib = api) {
	const result = await lib[method](args);
	const rec = head(method, args);
	rec.raw = JSON.parse(await wire.res.text());
	rec.result = result;
	records.push(rec);
	return result;
}

// A method whose answer is a file (or an error in JSON).
async function file(method, args, lib = api) {
	const res = await lib[method](args);
	const rec = head(method, args);
	const data = Buffer.from(await res.arrayBuffer());
	rec.length = data.length;
	rec.sha256 = createHash("sha256").update(data).digest("hex");
	rec.range = res.headers.get("content-range");
	records.push(rec);
}

// The songs of the music, through getArtists, getArtist and getAlbum.
async function walk() {
	const { artists } = await json("getArtists");
	const songs = [];

	for (const a of (artists?.index || []).flatMap((i) => i.artist)) {
		const { artist } = await json("getArtist", { id: a.id });
		for (const al of artist?.album || []) {
			const { album } = await json("getAlbum", { id: al.id });
			songs.push(...(album?.song || []));
		}
	}
	return songs;
}

const LISTS = ["random", "newest", "alphabeticalByName",
	"alphabeticalByArtist", "starred", "frequent", "recent",
	"highest"];

async function lists(genre, first) {
	for (const type of LISTS)
		await json("getAlbumList2", { type, size: 20 });
	await json("getAlbumList2", { type: "byYear", fromYear: 1,
		toYear: 3000 });
	if (genre)
		await json("getAlbumList2", { type: "byGenre", genre });
	await json("getRandomSongs", { size: 10 });
	await json("search3", { query: "" });
	await json("search3", { query: first.title });
}

async function media(songs) {
	const covers = new Set(songs.map((s) => s.coverArt).filter(Boolean));

	for (const id of covers)
		await file("getCoverArt", { id, size: 64 });
	for (const s of songs)
		await file("stream", { id: s.id });
	await file("download", { id: songs[0].id });
	await file("download", { id: songs[0].id }, ranged);
	const { playlists } = await json("getPlaylists");
	for (const p of playlists?.playlist || [])
		await json("getPlaylist", { id: p.id });
}

async function marks(s) {
	const ids = { id: s.id, albumId: s.albumId, artistId: s.artistId };

	await json("getSimilarSongs2", { id: s.id });
	await json("getTopSongs", { artist: s.artist, count: 10 });
	await json("scrobble", { id: s.id, submission: true });
	await json("star", ids);
	await json("getStarred2");
	await json("getSong", { id: s.id });
	await json("getTopSongs", { artist: s.artist, count: 10 });
	await json("unstar", ids);
	await json("getStarred2");
}

// The account's own playlist, bookmark, play queue and rating.
async function edits(songs) {
	const ids = songs.map((s) => s.id);

	part = "edits";
	const { playlist } = await json("createPlaylist",
		{ name: "Mine", songId: ids });
	await json("updatePlaylist", { playlistId: playlist?.id,
		name: "Ours", public: true, songIdToAdd: [ids[0]],
		songIndexToRemove: [0, 1] });
	await json("getPlaylist", { id: playlist?.id });
	await json("getPlaylists");
	await json("deletePlaylist", { id: playlist?.id });
	await json("createBookmark", { id: ids[0], position: 1234,
		comment: "here" });
	await json("getBookmarks");
	await json("deleteBookmark", { id: ids[0] });
	await json("savePlayQueue", { id: ids, current: ids[1],
		position: 5000 });
	await json("getPlayQueue");
	await json("setRating", { id: ids[0], rating: 4 });
	await json("getSong", { id: ids[0] });
}

async function every() {
	await json("ping");
	await json("getLicense");
	await json("getOpenSubsonicExtensions");
	await json("getMusicFolders");
	await json("getIndexes");
	const songs = await walk();
	for (const s of songs)
		await json("getSong", { id: s.id });
	const { genres } = await json("getGenres");
	await lists(genres?.genre?.[0]?.value, songs[0]);
	await media(songs);
	await marks(songs[0]);
	await edits(songs);
}

async function few() {
	await json("ping");
	if (!cfg.songs)
		return;
	await json("getArtists");
	for (const id of cfg.songs)
		await json("getSong", { id });
}

await (cfg.plan === "every" ? every() : few());
process.stdout.write(JSON.stringify(records) + "\n");
