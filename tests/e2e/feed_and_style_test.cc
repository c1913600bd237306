// /feed.xml read by an XML parser against RFC 4287's required elements, /style.css from memory,
// and every page parsed as HTML5 by html5lib (strict) with the feed's <link rel="alternate">.
// The parsers are Debian's Python 3 (python3-html5lib from scripts/install-deps.sh).
#include <filesystem>
#include <fstream>
#include <string>

#include "e2e/run_command.h"
#include "e2e/server_fixture.h"

namespace fourdollar::e2e {
namespace {

class FeedAndStyle : public ServerTest {
 protected:
  // Runs a Python 3 script on `input` (written to a file) and returns its output.
  Result<std::string> RunPython(const std::string& script, const std::string& input) {
    const std::filesystem::path script_path = data_dir_.path() / "check.py";
    const std::filesystem::path input_path = data_dir_.path() / "input";
    std::ofstream(script_path) << script;
    std::ofstream(input_path, std::ios::binary) << input;
    return RunCommand("/usr/bin/python3 " + script_path.string() + " " + input_path.string());
  }
};

constexpr const char* kAtomCheck = R"py(
import sys
import xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
feed = ET.parse(sys.argv[1]).getroot()
assert feed.tag == A + 'feed', feed.tag
for name in ('id', 'title', 'updated'):
    assert feed.find(A + name) is not None and feed.find(A + name).text, 'feed ' + name
assert feed.find(A + 'author/' + A + 'name').text, 'feed author'
entries = feed.findall(A + 'entry')
for entry in entries:
    for name in ('id', 'title', 'updated'):
        assert entry.find(A + name) is not None and entry.find(A + name).text, 'entry ' + name
    links = [l for l in entry.findall(A + 'link') if l.get('rel', 'alternate') == 'alternate']
    assert links and links[0].get('href'), 'entry link'
print(len(entries), '|'.join(e.find(A + 'title').text for e in entries))
)py";

constexpr const char* kHtml5Check = R"py(
import sys
import html5lib
with open(sys.argv[1], 'rb') as f:
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(f.read())
links = [l for l in document.iter('link') if l.get('rel') == 'alternate'
         and l.get('type') == 'application/atom+xml']
assert links and links[0].get('href') == '/feed.xml', 'no feed link'
assert [l for l in document.iter('link') if l.get('rel') == 'stylesheet'], 'no stylesheet'
print('ok')
)py";

TEST_F(FeedAndStyle, FeedHasRfc4287RequiredElementsForThe20NewestPosts) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto empty = RunPython(kAtomCheck, Get("/feed.xml").body);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(*empty, "0 ");
  for (int i = 1; i <= 22; ++i) {
    ASSERT_EQ(CreatePost("Post <" + std::to_string(i) + "> & more", "b").status, 303);
  }
  HttpResponse feed = Get("/feed.xml");
  ASSERT_EQ(feed.status, 200);
  EXPECT_EQ(feed.Header("Content-Type"), "application/atom+xml; charset=utf-8");
  EXPECT_FALSE(feed.Header("ETag").empty());
  auto checked = RunPython(kAtomCheck, feed.body);
  ASSERT_TRUE(checked) << checked.error().message << "\n" << feed.body;
  EXPECT_EQ(checked->substr(0, 3), "20 ");
  EXPECT_NE(checked->find("Post <22> & more|Post <21> & more"), std::string::npos) << *checked;
  EXPECT_EQ(Request("GET", "/feed.xml", {{"If-None-Match", feed.Header("ETag")}}).status, 304);
}

TEST_F(FeedAndStyle, EveryPageIsStrictHtml5WithTheFeedAndStyleLinks) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int64_t id = CreatePostAndFindId("Valid <markup> & \"quotes\"", "line one\n<b>two</b>");
  int64_t gone = CreatePostAndFindId("To delete", "b");
  ASSERT_EQ(Request("PUT", PostPath(id), JsonHeaders(server_->token()),
                    PostJson("Valid, edited <again>", "three"))
                .status,
            303);
  ASSERT_EQ(
      Request("DELETE", PostPath(gone), {{"Authorization", "Bearer " + server_->token()}}).status,
      204);
  for (const std::string& target : {std::string("/"), PostPath(id), PostPath(gone),
                                    std::string("/424242"), std::string("/?before=2")}) {
    auto checked = RunPython(kHtml5Check, Get(target).body);
    EXPECT_TRUE(checked) << target << ": " << checked.error().message;
  }
}

TEST_F(FeedAndStyle, StyleSheetIsServedFromMemoryAndCachedByBrowsers) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpResponse css = Get("/style.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(css.Header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(css.Header("Cache-Control"), "public, max-age=86400");
  EXPECT_NE(css.body.find("@media"), std::string::npos);  // responsive
  // Line breaks in a post's text stay line breaks.
  EXPECT_NE(css.body.find(".body { white-space: pre-wrap;"), std::string::npos);
  EXPECT_LT(css.body.size(), 4096u);  // small
  EXPECT_EQ(Request("GET", "/style.css", {{"If-None-Match", css.Header("ETag")}}).status, 304);
  EXPECT_EQ(Request("GET", "/style.css", {{"Accept-Encoding", "gzip"}}).Header("Content-Encoding"),
            "gzip");
}

}  // namespace
}  // namespace fourdollar::e2e
