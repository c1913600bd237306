// The Atom feed (RFC 4287) of the newest posts, written by hand: a dozen fixed elements with
// escaped text need no XML library. Pure; thread-safe.
#pragma once

#include <span>
#include <string>

#include "store/store.h"

namespace fourdollar::blog {

inline constexpr int kFeedEntries = 20;

// The feed document: feed id, title, updated (the newest entry's time), author and a self link;
// one entry per post (newest first) with its id, title, updated, published and a link to its
// page. Links are relative to the feed's address ("/12"), as RFC 4287 allows.
std::string RenderAtomFeed(std::span<const store::PostSummary> posts);

}  // namespace fourdollar::blog
