// Unit tests of the S3 backend's pieces that need no server: the XML extractor, dates, URL
// building (path encoding, canonical query) and the storage.url / storage.s3_* parsing.
#include <catch2/catch.hpp>
#include <string>

#include "objects/s3/s3_client.h"
#include "objects/s3/s3_object_store.h"
#include "objects/s3/s3_xml.h"

namespace pm::objects {
namespace {

using s3::ParseHttpDateMillis;
using s3::ParseIso8601Millis;
using s3::ParseListObjectsV2;
using s3::S3Client;
using s3::XmlFirstText;
using s3::XmlUnescape;

TEST_CASE("S3 XML: entities are unescaped, bad ones refused", "[objects][s3]") {
  CHECK(*XmlUnescape("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;") == "a & b <c> \"d\" 'e'");
  CHECK(*XmlUnescape("&#65;&#x42;&#x0d;") == "AB\r");
  CHECK(*XmlUnescape("&#xE9;") == "\xC3\xA9");
  CHECK(*XmlUnescape("plain") == "plain");
  CHECK_FALSE(XmlUnescape("&nbsp;").has_value());
  CHECK_FALSE(XmlUnescape("a & b").has_value());
  CHECK_FALSE(XmlUnescape("&#0;").has_value());
  CHECK_FALSE(XmlUnescape("&#xD800;").has_value());
}

TEST_CASE("S3 XML: error code and upload id", "[objects][s3]") {
  const std::string err =
      "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The &quot;bucket&quot; is "
      "gone</Message></Error>";
  CHECK(*XmlFirstText(err, "Code") == "NoSuchBucket");
  CHECK(*XmlFirstText(err, "Message") == "The \"bucket\" is gone");
  CHECK_FALSE(XmlFirstText(err, "UploadId").has_value());
  CHECK(*XmlFirstText("<R><UploadId>abc</UploadId></R>", "UploadId") == "abc");
  CHECK(*XmlFirstText("<R><Prefix/></R>", "Prefix") == "");
}

TEST_CASE("S3 XML: ListObjectsV2 pages", "[objects][s3]") {
  const std::string page =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
      "<Contents><Key>p/a&amp;b</Key><LastModified>2024-02-29T12:34:56.789Z</LastModified>"
      "<ETag>&quot;x&quot;</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>p/c</Key><LastModified>1970-01-01T00:00:01.000Z</LastModified><Size>0</Size>"
      "</Contents><NextContinuationToken>tok/en+=</NextContinuationToken></ListBucketResult>";
  auto parsed = ParseListObjectsV2(page);
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->objects.size() == 2);
  CHECK(parsed->objects[0].key == "p/a&b");
  CHECK(parsed->objects[0].size == 10);
  CHECK(parsed->objects[0].modified_ms == 1709210096789);
  CHECK(parsed->objects[1].key == "p/c");
  CHECK(parsed->objects[1].modified_ms == 1000);
  CHECK(parsed->truncated);
  CHECK(parsed->next_token == "tok/en+=");

  auto last = ParseListObjectsV2("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  REQUIRE(last.has_value());
  CHECK(last->objects.empty());
  CHECK_FALSE(last->truncated);

  // Truncated without a token, or an entry without a size: refused, not guessed.
  CHECK_FALSE(ParseListObjectsV2("<L><IsTruncated>true</IsTruncated></L>").has_value());
  CHECK_FALSE(ParseListObjectsV2("<L><Contents><Key>k</Key><LastModified>2024-01-01T00:00:00Z</LastModified>"
                                 "</Contents></L>")
                  .has_value());
  CHECK_FALSE(ParseListObjectsV2("<L><Contents><Key>k</Key><Size>-1</Size><LastModified>2024-01-01T00:00:00Z"
                                 "</LastModified></Contents></L>")
                  .has_value());
}

TEST_CASE("S3 dates", "[objects][s3]") {
  CHECK(*ParseIso8601Millis("2015-10-21T07:28:00Z") == 1445412480000);
  CHECK(*ParseIso8601Millis("2015-10-21T07:28:00.5Z") == 1445412480500);
  CHECK(*ParseHttpDateMillis("Wed, 21 Oct 2015 07:28:00 GMT") == 1445412480000);
  CHECK_FALSE(ParseIso8601Millis("2015-10-21 07:28:00Z").has_value());
  CHECK_FALSE(ParseIso8601Millis("2015-13-21T07:28:00Z").has_value());
  CHECK_FALSE(ParseHttpDateMillis("Wed, 21 Foo 2015 07:28:00 GMT").has_value());
  CHECK_FALSE(ParseHttpDateMillis("").has_value());
}

TEST_CASE("S3 URLs: encoded path, canonical (sorted, encoded) query, both addressing styles",
          "[objects][s3]") {
  CHECK(S3Client::UriEncode("a-b_c.d~/x y%", true) == "a-b_c.d~/x%20y%25");
  CHECK(S3Client::UriEncode("a/b", false) == "a%2Fb");

  s3::S3ClientOptions o;
  o.endpoint = "http://127.0.0.1:9000";
  o.bucket = "bkt";
  o.region = "us-east-1";
  o.path_style = true;
  S3Client path_style(o);
  s3::S3Request list{.method = "GET",
                     .query = {{"prefix", "pfx/tenants/1/"},
                               {"max-keys", "7"},
                               {"list-type", "2"},
                               {"continuation-token", "a+b/c="}}};
  CHECK(path_style.UrlFor(list) ==
        "http://127.0.0.1:9000/bkt?continuation-token=a%2Bb%2Fc%3D&list-type=2&max-keys=7"
        "&prefix=pfx%2Ftenants%2F1%2F");
  s3::S3Request get{.method = "GET", .key = "pfx/a-b_c.d/E.f"};
  CHECK(path_style.UrlFor(get) == "http://127.0.0.1:9000/bkt/pfx/a-b_c.d/E.f");
  s3::S3Request uploads{.method = "POST", .key = "k", .query = {{"uploads", ""}}};
  CHECK(path_style.UrlFor(uploads) == "http://127.0.0.1:9000/bkt/k?uploads=");

  o.path_style = false;
  o.endpoint = "https://s3.eu-west-1.amazonaws.com";
  S3Client vhost(o);
  CHECK(vhost.UrlFor(get) == "https://bkt.s3.eu-west-1.amazonaws.com/pfx/a-b_c.d/E.f");
  CHECK(vhost.UrlFor(s3::S3Request{.method = "GET", .query = {{"list-type", "2"}}}) ==
        "https://bkt.s3.eu-west-1.amazonaws.com/?list-type=2");
}

ObjectStoreOptions S3Url(std::string url) {
  ObjectStoreOptions o;
  o.url = std::move(url);
  o.s3_access_key_id = "AKID";
  o.s3_secret_access_key = "SECRET";
  return o;
}

TEST_CASE("S3 options from storage.url and storage.s3_*", "[objects][s3]") {
  auto plain = S3ObjectStore::OptionsFromConfig(S3Url("s3://my-bucket"));
  REQUIRE(plain.ok());
  CHECK(plain->client.bucket == "my-bucket");
  CHECK(plain->prefix.empty());
  CHECK(plain->client.region == "us-east-1");
  CHECK(plain->client.endpoint == "https://s3.us-east-1.amazonaws.com");
  CHECK_FALSE(plain->client.path_style);

  ObjectStoreOptions custom = S3Url("s3://my.bucket/a-b_c.d/sub/");
  custom.s3_region = "eu-west-1";
  custom.s3_endpoint = "http://127.0.0.1:9000/";
  custom.s3_path_style = true;
  auto c = S3ObjectStore::OptionsFromConfig(custom);
  REQUIRE(c.ok());
  CHECK(c->prefix == "a-b_c.d/sub/");
  CHECK(c->client.region == "eu-west-1");
  CHECK(c->client.endpoint == "http://127.0.0.1:9000");
  CHECK(c->client.path_style);

  ObjectStoreOptions default_endpoint = S3Url("s3://b12/p");
  default_endpoint.s3_region = "ap-south-1";
  CHECK(S3ObjectStore::OptionsFromConfig(default_endpoint)->client.endpoint ==
        "https://s3.ap-south-1.amazonaws.com");

  auto message_of = [](const ObjectStoreOptions& o) {
    auto r = OpenObjectStore(o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    return r.error().message;
  };
  CHECK_THAT(message_of(S3Url("s3://")), Catch::Contains("storage.url"));
  CHECK_THAT(message_of(S3Url("s3://UPPER")), Catch::Contains("storage.url"));
  CHECK_THAT(message_of(S3Url("s3://ok-bucket/../x")), Catch::Contains("storage.url"));
  CHECK_THAT(message_of(S3Url("s3://ok-bucket/a b")), Catch::Contains("storage.url"));
  ObjectStoreOptions no_secret = S3Url("s3://ok-bucket");
  no_secret.s3_secret_access_key.clear();
  CHECK_THAT(message_of(no_secret), Catch::Contains("storage.s3_secret_access_key"));
  ObjectStoreOptions bad_endpoint = S3Url("s3://ok-bucket");
  bad_endpoint.s3_endpoint = "ftp://host";
  CHECK_THAT(message_of(bad_endpoint), Catch::Contains("storage.s3_endpoint"));
  bad_endpoint.s3_endpoint = "http://host/path";
  CHECK_THAT(message_of(bad_endpoint), Catch::Contains("storage.s3_endpoint"));
  ObjectStoreOptions bad_region = S3Url("s3://ok-bucket");
  bad_region.s3_region = "eu west";
  CHECK_THAT(message_of(bad_region), Catch::Contains("storage.s3_region"));
  // The secret never appears in an error.
  ObjectStoreOptions secret_in_error = S3Url("s3://ok-bucket");
  secret_in_error.s3_endpoint = "gopher://x";
  CHECK_THAT(message_of(secret_in_error), !Catch::Contains("SECRET"));

  // A valid s3:// URL opens without any request (Check() probes later).
  CHECK(OpenObjectStore(S3Url("s3://ok-bucket/prefix")).ok());
}

}  // namespace
}  // namespace pm::objects
