package vn.hotline.gateway.console;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.followup.Followups;
import vn.hotline.gateway.store.FollowupRepository;

/**
 * The follow-up tasks as the console shows them, in the reader's words: what to do, how urgent, how old, when due
 * (overdue marked), the reference the caller was given, the attempts and when to try again, who has it. Codes,
 * times, references and staff names only: never a number, a pseudonym or what the caller said.
 */
public final class TaskModel {
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm");
  private static final DateTimeFormatter DAY_HOUR = DateTimeFormatter.ofPattern("dd/MM HH:mm");

  /** One task of the list. */
  public record Row(String id, String href, String kind, String kindLabel, boolean urgent, String age, String due,
      boolean overdue, String reference, int attempts, String tryAgainAfter, String assignee, boolean mine) {}

  /** One attempt of a task's history. */
  public record AttemptRow(String at, String by, String result, String resultLabel) {}

  /** A counsellor a supervisor can give the task to. */
  public record Choice(String operatorId, String name, boolean current) {}

  /** The task page: the task, its state, its attempts, what the reader may do. */
  public record Detail(Row row, String contactId, String status, String statusLabel, boolean open, String outcome,
      String outcomeLabel, String closedAt, List<AttemptRow> attempts, boolean voicemail, boolean recording,
      boolean canReassign, List<Choice> counsellors, List<String> results) {
    /** Whether it is a voicemail to hear (no one is called back). */
    public boolean review() {
      return Followup.Kind.VOICEMAIL_REVIEW.wire().equals(row.kind());
    }
  }

  private TaskModel() {}

  static Row row(Followups.BoardTask t, Messages.Bundle words, ZoneId zone, Instant now, Map<String, String> names,
      String me) {
    return new Row(t.id(), "/console/tasks/" + t.id(), t.kind().wire(), words.t("task.kind." + t.kind().wire()),
        t.priority() == Followup.Priority.URGENT, age(t.age(), words), when(t.dueAt(), zone, now), t.overdue(),
        t.reference(), t.attempts(), t.tryAgainAfter() == null || !t.tryAgainAfter().isAfter(now) ? null
            : when(t.tryAgainAfter(), zone, now), assignee(t.assignedOperator(), names, words, me),
        me != null && me.equals(t.assignedOperator()));
  }

  static Detail detail(FollowupRepository.Task t, List<FollowupRepository.Attempt> attempts, boolean recording,
      Messages.Bundle words, ZoneId zone, Instant now, Map<String, String> names, String me, boolean canReassign,
      List<Choice> counsellors) {
    var board = new Followups.BoardTask(t.id(), t.kind(), t.priority(), t.status(), t.dueAt(),
        t.status().open() && now.isAfter(t.dueAt()),
        Duration.between(t.createdAt(), t.closedAt() == null ? now : t.closedAt()), t.reference(), t.channel(),
        t.contactId(), t.reportId(), t.assignedOperator(), t.attempts(), t.status().open() ? t.nextAttemptAt() : null,
        t.numberKept());
    var history = attempts.stream().map(a -> new AttemptRow(when(a.at(), zone, now),
        names.getOrDefault(a.operatorId(), words.t("board.a_counsellor")), a.result().wire(),
        words.t("task.result." + a.result().wire()))).toList();
    var outcome = t.outcome() == null ? null : t.outcome().wire();
    var results = t.kind() == Followup.Kind.VOICEMAIL_REVIEW ? List.<String>of()
        : java.util.Arrays.stream(Followup.Result.values()).map(Followup.Result::wire).toList();
    return new Detail(row(board, words, zone, now, names, me), t.contactId(), t.status().wire(),
        words.t("task.status." + t.status().wire()), t.status().open(), outcome,
        outcome == null ? null : words.t("task.outcome." + outcome), t.closedAt() == null ? null : when(t.closedAt(), zone, now),
        history, t.kind() == Followup.Kind.VOICEMAIL_REVIEW || recording, recording, canReassign && t.status().open(),
        counsellors, results);
  }

  private static String assignee(String operatorId, Map<String, String> names, Messages.Bundle words, String me) {
    if (operatorId == null) {
      return words.t("task.nobody");
    }
    if (operatorId.equals(me)) {
      return words.t("board.you");
    }
    return names.getOrDefault(operatorId, words.t("board.a_counsellor"));
  }

  /** A time of today as HH:mm, of another day as dd/MM HH:mm, in the hotline's time zone. */
  static String when(Instant t, ZoneId zone, Instant now) {
    var local = t.atZone(zone);
    return local.toLocalDate().equals(LocalDate.ofInstant(now, zone)) ? HOUR.format(local) : DAY_HOUR.format(local);
  }

  /** How old a task is, in words: minutes, then hours and minutes, then days. */
  static String age(Duration d, Messages.Bundle words) {
    long minutes = Math.max(0, d.toMinutes());
    if (minutes < 60) {
      return words.t("task.age_min", minutes);
    }
    if (minutes < 48 * 60) {
      return words.t("task.age_h", minutes / 60, minutes % 60);
    }
    return words.t("task.age_d", minutes / (24 * 60));
  }
}
