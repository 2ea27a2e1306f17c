/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic and OpenSubsonic methods /rest does not serve (see
 * subsonic_spec.h). It only names them: it answers no request and must
 * list no method fs/subsonic/subsonic.c serves.
 */
#include "fs/subsonic/subsonic_spec.h"

#include <string.h>

static const char *const unserved[] = {
	"getVideos", "getVideoInfo",
	"getArtistInfo", "getArtistInfo2", "getAlbumInfo", "getAlbumInfo2",
	"search",
	"hls", "getCaptions", "getLyrics", "getLyricsBySongId", "getAvatar",
	"getShares", "createShare", "updateShare",
	"deleteShare", "getPodcasts", "getNewestPodcasts",
	"getPodcastEpisode", "refreshPodcasts", "createPodcastChannel",
	"deletePodcastChannel", "deletePodcastEpisode",
	"downloadPodcastEpisode", "jukeboxControl",
	"getInternetRadioStations", "createInternetRadioStation",
	"updateInternetRadioStation", "deleteInternetRadioStation",
	"getChatMessages", "addChatMessage",
	"createUser", "updateUser", "deleteUser", "changePassword",
	"getPlayQueueByIndex", "savePlayQueueByIndex",
};

const char *subsonic_spec_unserved(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(unserved) / sizeof(*unserved); i++)
		if (strlen(unserved[i]) == len &&
		    !strncmp(unserved[i], name, len))
			return unserved[i];
	return NULL;
}
