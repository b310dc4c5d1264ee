package vn.hotline.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SMSC of bytes on a socket, no SMPP library on this side, so it can send what no library would: a gateway binds
 * it (as a transceiver, answered at once), then a test sends deliver_sm bodies one at a time and reads the answer,
 * answering the gateway's own enquire_link and submit_sm (accepted) meanwhile.
 */
public final class RawSmsc implements AutoCloseable {
  public static final int BIND_TRANSCEIVER = 0x00000009;
  public static final int ENQUIRE_LINK = 0x00000015;
  public static final int SUBMIT_SM = 0x00000004;
  public static final int DELIVER_SM = 0x00000005;
  public static final int UNBIND = 0x00000006;
  public static final int RESP = 0x80000000;
  public static final int GENERIC_NACK = 0x80000000;

  private final ServerSocket server;
  private Socket socket;
  private DataInputStream in;
  private DataOutputStream out;
  private int seq = 1000;
  /** The destination of each submit_sm the gateway sent, in order. */
  public final List<String> submittedTo = new CopyOnWriteArrayList<>();

  public RawSmsc() throws IOException {
    server = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
  }

  /** The gateway's settings for one link to this SMSC. */
  public Map<String, String> env() {
    return Map.of(
        "GATEWAY_SMPP_HOST", "127.0.0.1",
        "GATEWAY_SMPP_PORT", Integer.toString(server.getLocalPort()),
        "GATEWAY_SMPP_SYSTEM_ID", "hotline",
        "GATEWAY_SMPP_PASSWORD", "hotline",
        "GATEWAY_SMPP_SOURCE", "111",
        "GATEWAY_SMPP_RECONNECT_MAX_SECONDS", "1",
        "GATEWAY_SMPP_ENQUIRE_LINK_SECONDS", "30");
  }

  /** Takes the gateway's connection and answers its bind; {@code answerWithin} is how long a read may wait. */
  public void acceptBind(Duration answerWithin) throws IOException {
    server.setSoTimeout(30_000);
    socket = server.accept();
    socket.setSoTimeout((int) answerWithin.toMillis());
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
    var bind = read();
    if (bind.command() != BIND_TRANSCEIVER) {
      throw new AssertionError("the gateway binds as a transceiver, not 0x" + Integer.toHexString(bind.command()));
    }
    write(BIND_TRANSCEIVER | RESP, 0, bind.seq(), cstring("rawsmsc"));
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
    server.close();
  }

  public record Pdu(int command, int status, int seq, byte[] body) {}

  public Pdu read() throws IOException {
    int length = in.readInt();
    int command = in.readInt();
    int status = in.readInt();
    int s = in.readInt();
    var body = new byte[length - 16];
    in.readFully(body);
    return new Pdu(command, status, s, body);
  }

  void write(int command, int status, int s, byte[] body) throws IOException {
    out.writeInt(16 + body.length);
    out.writeInt(command);
    out.writeInt(status);
    out.writeInt(s);
    out.write(body);
    out.flush();
  }

  public static byte[] cstring(String s) {
    var b = s.getBytes(StandardCharsets.ISO_8859_1);
    var r = new byte[b.length + 1];
    System.arraycopy(b, 0, r, 0, b.length);
    return r;
  }

  /**
   * Sends one deliver_sm body and returns the status of its deliver_sm_resp, or minus the status of a generic_nack
   * (one PDU at a time, so a nack answers this one whatever sequence number it carries), answering what else comes
   * meanwhile. Throws {@link java.net.SocketTimeoutException} when nothing answers it.
   */
  public int deliver(byte[] body) throws IOException {
    int mine = ++seq;
    write(DELIVER_SM, 0, mine, body);
    while (true) {
      var p = read();
      if ((p.command() == (DELIVER_SM | RESP) && p.seq() == mine) || p.command() == GENERIC_NACK) {
        return p.command() == GENERIC_NACK ? -p.status() : p.status();
      }
      answer(p);
    }
  }

  /** The gateway's own requests: keep-alives, and its replies (accepted, with a message id). */
  public void answer(Pdu p) throws IOException {
    if (p.command() == ENQUIRE_LINK) {
      write(ENQUIRE_LINK | RESP, 0, p.seq(), new byte[0]);
    } else if (p.command() == SUBMIT_SM) {
      submittedTo.add(destinationOf(p.body()));
      write(SUBMIT_SM | RESP, 0, p.seq(), cstring("m" + p.seq()));
    } else if (p.command() == UNBIND) {
      throw new AssertionError("the gateway unbound");
    }
  }

  /** Reads and answers the gateway's requests until a reply went to {@code number}, or {@code within} passed. */
  public boolean awaitReplyTo(String number, Duration within) throws IOException {
    long end = System.nanoTime() + within.toNanos();
    int timeout = socket.getSoTimeout();
    try {
      socket.setSoTimeout(500);
      while (!submittedTo.contains(number)) {
        if (System.nanoTime() > end) {
          return false;
        }
        try {
          answer(read());
        } catch (java.net.SocketTimeoutException e) {
          // nothing yet; look again
        }
      }
      return true;
    } finally {
      socket.setSoTimeout(timeout);
    }
  }

  /** submit_sm: service_type, source ton/npi/addr, destination ton/npi/addr. */
  static String destinationOf(byte[] body) {
    int i = 0;
    while (body[i] != 0) i++;
    i += 3; // NUL, source ton, npi
    while (body[i] != 0) i++;
    i += 3; // NUL, destination ton, npi
    int start = i;
    while (body[i] != 0) i++;
    return new String(body, start, i - start, StandardCharsets.ISO_8859_1);
  }

  /** A deliver_sm body: fields as given, sm_length as given (it may disagree with the bytes), then {@code tail}. */
  public static byte[] deliverSm(byte[] source, byte[] destination, int esmClass, int dataCoding, int smLength, byte[] sm,
      byte[] tail) {
    var b = new ByteArrayOutputStream();
    b.write(0); // service_type ""
    b.write(1); // source ton
    b.write(1); // source npi
    b.writeBytes(source);
    b.write(0);
    b.write(0);
    b.write(0);
    b.writeBytes(destination);
    b.write(0);
    b.write(esmClass);
    b.write(0); // protocol_id
    b.write(0); // priority
    b.write(0); // schedule_delivery_time ""
    b.write(0); // validity_period ""
    b.write(0); // registered_delivery
    b.write(0); // replace_if_present
    b.write(dataCoding);
    b.write(0); // sm_default_msg_id
    b.write(smLength);
    b.writeBytes(sm);
    b.writeBytes(tail);
    return b.toByteArray();
  }

  /** A TLV whose length field says {@code length}, whatever the value's own length. */
  public static byte[] tlv(int tag, int length, byte[] value) {
    var b = new byte[4 + value.length];
    b[0] = (byte) (tag >> 8);
    b[1] = (byte) tag;
    b[2] = (byte) (length >> 8);
    b[3] = (byte) length;
    System.arraycopy(value, 0, b, 4, value.length);
    return b;
  }
}
