package vn.hotline.gateway.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.report.Provinces;

/**
 * The shipped SMS flow with one thing broken in its lexicon, a menu's yes/no or its cry_for_help: startup is refused,
 * naming the file and the entry or node, like every other flow error.
 */
class LexiconLoaderTest {
  static final Path SMS = Path.of("ivr-flows/sms-111.yaml");

  @TempDir Path dir;

  final FlowLoader loader = new FlowLoader(Map.of("provinces", Provinces.load(null).byCode().keySet()));

  FlowException refused(Path original, String from, String to, String... fragments) throws Exception {
    var text = Files.readString(original);
    assertTrue(text.contains(from), "the shipped flow has " + from);
    var file = dir.resolve(original.getFileName());
    Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
    var e = assertThrows(FlowException.class, () -> loader.load(file));
    assertTrue(e.getMessage().startsWith(file.toString() + ": "), "names the file: " + e.getMessage());
    for (var f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
    }
    return e;
  }

  @Test
  void theShippedFlowLoadsWithItsLexiconAndCries() {
    var flow = loader.load(SMS);
    assertEquals("1", flow.lexicon().numbers().get("mot"));
    assertEquals("0", flow.lexicon().numbers().get("khong"));
    assertTrue(flow.lexicon().no().contains("khong"));
    var confirm = (Node.Menu) flow.node("confirm");
    assertEquals(new Node.Answers("1", "2", null), confirm.answers());
    assertEquals(new Node.Answers(null, null, "0"), ((Node.Menu) flow.node("age")).answers());
    assertEquals("cry-physical", flow.cryForHelp("em bi danh").orElseThrow().node());
    assertEquals("cry-category", flow.cryForHelp("cuu em").orElseThrow().node());
    assertTrue(flow.cryForHelp("anh oi mai gap nhe").isEmpty());
  }

  @Test
  void aNumberWordForTwoDigitsIsRefused() throws Exception {
    refused(SMS, "\"2\": [hai]", "\"2\": [hai, \"Một\"]", "lexicon.numbers.2", "'mot' is already the number 1");
  }

  @Test
  void aNumberThatIsNoDigitIsRefused() throws Exception {
    refused(SMS, "\"2\": [hai]", "\"12\": [hai]", "lexicon.numbers", "'12' is not a digit 0-9");
  }

  @Test
  void aWordThatIsBothYesAndNoIsRefused() throws Exception {
    refused(SMS, "yes: [co, ", "yes: [co, ko, ", "lexicon.yes", "'ko' is also a no word");
  }

  @Test
  void aNoWordThatIsANumberOtherThanZeroIsRefused() throws Exception {
    refused(SMS, "no: [khong, ", "no: [khong, hai, ", "lexicon.no", "'hai' is also the number 2");
  }

  @Test
  void fillerThatIsAnAnswerIsRefused() throws Exception {
    refused(SMS, "filler: [so, ", "filler: [so, ok, ", "lexicon.filler", "'ok' is also an answer");
  }

  @Test
  void anEntryWithoutLettersIsRefused() throws Exception {
    refused(SMS, "skip: [khong biet, ", "skip: [\"...\", khong biet, ", "lexicon.skip", "'...' has no letters or digits");
  }

  @Test
  void anUnknownLexiconKeyIsRefused() throws Exception {
    refused(SMS, "lexicon:\n", "lexicon:\n  maybe: [chac]\n", "unknown key 'maybe'");
  }

  @Test
  void aMenusYesMustBeOneOfItsOptionsAndDifferentFromNo() throws Exception {
    refused(SMS, "    yes: \"1\"\n    no: \"2\"\n", "    yes: \"9\"\n    no: \"2\"\n", "node 'confirm'",
        "yes: '9' is not one of the menu's options");
    refused(SMS, "    yes: \"1\"\n    no: \"2\"\n", "    yes: \"1\"\n    no: \"1\"\n", "node 'confirm'",
        "yes, no and skip must be different options");
  }

  @Test
  void aCueMustStartAtAMenuThatConfirmsWithYes() throws Exception {
    refused(SMS, "start: cry-labour", "start: cry-labor", "cry_for_help.cues 6", "'cry-labor' must be a menu node");
    refused(SMS, "start: cry-labour", "start: province", "cry_for_help.cues 6", "'province' must be a menu node");
    refused(SMS, "start: cry-labour", "start: about", "cry_for_help.cues 6", "node 'about'", "needs yes:");
  }

  @Test
  void theFirstTextMustBeginATextAnswer() throws Exception {
    refused(SMS, "  save: description\n  phrases:", "  save: story\n  phrases:", "cry_for_help.save",
        "no text node saves 'story'");
  }

  @Test
  void thePhrasesAreListedOnceAndInADeclaredLanguage() throws Exception {
    refused(SMS, "words: [help me, ", "words: [cuu em, help me, ", "cry_for_help.phrases 2",
        "'cuu em' is already listed in cry_for_help.phrases 1");
    refused(SMS, "    - language: en-US\n", "    - language: fr-FR\n", "cry_for_help.phrases 2",
        "language fr-FR is not declared");
  }

  @Test
  void theDangerLineIsNeededInEveryLanguage() throws Exception {
    refused(SMS, "    en-US: \"If you are in danger now: call 111 or 113.\"\n", "", "cry_for_help.danger", "en-US");
  }

  @Test
  void theDangerLinePromisesNothing() throws Exception {
    refused(SMS, "\"If you are in danger now: call 111 or 113.\"",
        "\"If you are in danger now: call 111 or 113. A counsellor will contact you.\"", "cry_for_help.danger in en-US",
        "only a node can promise");
  }

  @Test
  void aVoiceFlowHasNoLexicon() throws Exception {
    refused(Path.of("ivr-flows/hotline-111.yaml"), "\nnodes:", "\nlexicon:\n  yes: [co]\nnodes:",
        "lexicon belongs to sms flows");
  }
}
