package vn.hotline.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a real store, so a test can take the store away the way networks do:
 * {@link #cut()} drops every connection and refuses new ones; {@link #stall()} keeps accepting but forwards
 * nothing (a hung server); {@link #delay(java.time.Duration)} forwards each chunk late (a slow store);
 * {@link #restore()} forwards again.
 */
public final class TcpProxy implements AutoCloseable {
  private enum Mode { FORWARD, CUT, STALL }

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.FORWARD;
  private volatile long delayMillis;

  private TcpProxy(ServerSocket server, String targetHost, int targetPort) {
    this.server = server;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  public static TcpProxy start(String host, int port) {
    try {
      var server = new ServerSocket();
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      var proxy = new TcpProxy(server, host, port);
      Thread.ofPlatform().daemon().name("tcp-proxy-" + server.getLocalPort()).start(proxy::acceptLoop);
      return proxy;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  public void cut() {
    mode = Mode.CUT;
    dropAll();
  }

  public void stall() {
    mode = Mode.STALL;
    dropAll();
  }

  public void restore() {
    mode = Mode.FORWARD;
    delayMillis = 0;
  }

  /** Keeps forwarding, open connections included, but holds every chunk this long first (zero: no delay). */
  public void delay(java.time.Duration d) {
    delayMillis = d.toMillis();
  }

  private void dropAll() {
    for (var s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    open.clear();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        var client = server.accept();
        switch (mode) {
          case CUT -> client.close();
          case STALL -> open.add(client); // held open, never answered
          case FORWARD -> {
            var upstream = new Socket(targetHost, targetPort);
            open.add(client);
            open.add(upstream);
            pump(client, upstream);
            pump(upstream, client);
          }
        }
      } catch (IOException e) {
        // server closed or one connection failed: keep serving the others
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread.ofPlatform().daemon().start(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        var buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (delayMillis > 0) {
            Thread.sleep(delayMillis);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException ignored) {
        // one side closed
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    });
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    dropAll();
  }
}
