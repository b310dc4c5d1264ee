package vn.hotline.gateway.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** References a caller writes down, and row ids, made on many threads at once as the webhook workers make them. */
class IdsTest {
  private static final Pattern REFERENCE = Pattern.compile("[1-9][0-9]{7}");

  @Test
  void referencesAreEightDigitsNeverStartingWithZeroAndSpreadOverTheRange() throws Exception {
    var seen = ConcurrentHashMap.<String>newKeySet();
    var firstDigits = ConcurrentHashMap.<Character>newKeySet();
    onThreads(8, 5_000, () -> {
      var r = Ids.reference();
      assertTrue(REFERENCE.matcher(r).matches(), r);
      seen.add(r);
      firstDigits.add(r.charAt(0));
    });
    // 40,000 draws from 90 million: a handful of repeats at most (the store refuses those and another is drawn)
    assertTrue(seen.size() > 39_900, seen.size() + " distinct of 40000");
    assertEquals(Set.of('1', '2', '3', '4', '5', '6', '7', '8', '9'), firstDigits);
  }

  @Test
  void uuidsAreVersion7UniqueAndInIncreasingOrderOnEachThreadAcrossThreads() throws Exception {
    var all = ConcurrentHashMap.<UUID>newKeySet();
    var perThread = new ThreadLocal<UUID>();
    onThreads(8, 5_000, () -> {
      var id = Ids.uuid7();
      assertEquals(7, id.version());
      assertEquals(2, id.variant());
      var before = perThread.get();
      assertTrue(before == null || before.toString().compareTo(id.toString()) < 0, before + " then " + id);
      perThread.set(id);
      all.add(id);
    });
    assertEquals(40_000, all.size());
  }

  @Test
  void aVirtualThreadGetsThemToo() throws Exception {
    var ids = new ArrayList<String>();
    Thread.ofVirtual().start(() -> {
      ids.add(Ids.reference());
      ids.add(Ids.uuid7().toString());
    }).join();
    assertTrue(REFERENCE.matcher(ids.get(0)).matches(), ids.get(0));
    assertEquals(36, ids.get(1).length());
  }

  private static void onThreads(int threads, int each, Runnable draw) throws Exception {
    var pool = Executors.newFixedThreadPool(threads);
    var start = new CountDownLatch(1);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      running.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < each; i++) {
          draw.run();
        }
        return null;
      }));
    }
    start.countDown();
    for (var f : running) {
      f.get();
    }
    pool.shutdown();
  }
}
