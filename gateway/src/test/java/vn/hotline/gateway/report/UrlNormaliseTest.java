package vn.hotline.gateway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one form of a link under which reports of the same content are one content item. */
class UrlNormaliseTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      tiktok.com/@ke_doa                                              | https://tiktok.com/@ke_doa
      www.facebook.com/groups/anh-nong-hs                             | https://www.facebook.com/groups/anh-nong-hs
      HTTPS://WWW.TikTok.COM/@ke_doa/video/7301?is_from_webapp=1&sender_device=pc | https://www.tiktok.com/@ke_doa/video/7301
      https://www.tiktok.com:443/@ke_doa#comments                     | https://www.tiktok.com/@ke_doa
      http://example.vn:80                                            | http://example.vn/
      http://example.vn:8080/a                                        | http://example.vn:8080/a
      example.vn:8443/a?b=1                                           | https://example.vn:8443/a?b=1
      https://example.com./x                                          | https://example.com/x
      https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=shared&si=abc | https://www.youtube.com/watch?v=dQw4w9WgXcQ
      https://www.facebook.com/watch/?v=123&mibextid=Nif5oz&fbclid=IwAR0 | https://www.facebook.com/watch/?v=123
      https://www.instagram.com/p/Cx1/?igshid=MzRlODBiNWFlZA==        | https://www.instagram.com/p/Cx1/
      https://site.vn/post?utm_source=zalo&UTM_Medium=chat&id=7&gclid=x | https://site.vn/post?id=7
      https://site.vn/post?a=1&&b=2                                   | https://site.vn/post?a=1&b=2
      https://Site.VN/Path/Case?Q=Keep                                | https://site.vn/Path/Case?Q=Keep
      https://vt.tiktok.com/ZSabc123/                                 | https://vt.tiktok.com/ZSabc123/
      HTTPS://FB.WATCH/aBc-12/?mibextid=xyz                           | https://fb.watch/aBc-12/?mibextid=xyz
      youtu.be/dQw4w9WgXcQ?si=kept                                    | https://youtu.be/dQw4w9WgXcQ?si=kept
      bit.ly/3AbCdEf                                                  | https://bit.ly/3AbCdEf
      //cdn.example.org/i.png                                         | https://cdn.example.org/i.png
      https://zalo.me/g/abcdef                                        | https://zalo.me/g/abcdef
      """)
  void normalises(String given, String expected) {
    assertEquals(expected, Urls.normalise(given));
  }

  @ParameterizedTest(name = "{0} is refused")
  @CsvSource(delimiter = '|', textBlock = """
      javascript:alert(1)
      mailto:a@b.vn
      ftp://files.example.org/x
      https://
      https://exa mple.com/
      https://example.com:99999999/
      """)
  void refusesWhatIsNotAWebLink(String given) {
    assertThrows(IllegalArgumentException.class, () -> Urls.normalise(given));
  }

  @ParameterizedTest(name = "{0} is on {1}")
  @CsvSource(delimiter = '|', textBlock = """
      https://www.tiktok.com/@ke_doa  | tiktok
      https://vt.tiktok.com/ZSabc/    | tiktok
      https://m.facebook.com/x        | facebook
      https://fb.watch/x              | facebook
      https://youtu.be/x              | youtube
      https://zalo.me/g/x             | zalo
      https://t.me/x                  | telegram
      https://x.com/x                 | x
      https://example.vn/x            | NULL
      """, nullValues = "NULL")
  void knowsThePlatformOfWellKnownHosts(String url, String platform) {
    assertEquals(platform, Urls.platform(url));
  }
}
