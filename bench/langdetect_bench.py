"""The cost and the answers of `app.translate.detect_language` over a realistic mix of post bodies.

    python bench/langdetect_bench.py [--rounds 5] [--save FILE] [--compare FILE]

The mix: bodies made by `flask seed` (app.cli.seed.make_body: English, Spanish and Chinese, some as
replies starting with @name, some with a hashtag), hand-written sentences in sixteen languages, and short or
noisy text (a few words, emoji, links, numbers, the write mix's "bench post <n>"). Prints the import
and first-call time, then the mean, p50 and p99 cost of one call (each text timed alone, over
--rounds rounds), the share of labelled texts given their language, the share of noisy texts left
unknown (''), and whether every answer repeats. --save writes the answers to a JSON file;
--compare reads such a file (say, saved by another detector) and prints how many answers agree.
"""

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ensure_venv  # noqa: E402

ensure_venv()

SEED_BODIES = 600
REPLY_SHARE = 0.20
TAG_SHARE = 0.15

# Hand-written posts of 4 to 25 words, by language.
SENTENCES = {
    "en": [
        "Just finished reading a great book about the history of maps.",
        "Anyone else stuck in traffic on the bridge this morning?",
        "The new release fixes the login bug we talked about last week.",
        "Can't believe how cold it is today, winter is finally here.",
        "We shipped the feature and nobody noticed, which is the best outcome.",
        "I made bread for the first time and it was surprisingly good",
    ],
    "es": [
        "Hoy hace muy buen tiempo y vamos a ir al parque con los niños.",
        "¿Alguien sabe a qué hora abre la biblioteca los domingos?",
        "Terminé el proyecto por fin, ahora toca descansar un poco.",
        "Me encanta el café de este lugar, siempre vuelvo los viernes.",
        "La reunión de mañana se cambia a las diez de la mañana.",
    ],
    "zh": [
        "我们今天去公园散步，天气非常好。",
        "今天天气很好，我们去公园吧。",
        "我今天很高兴",
        "这本书真的很好看，推荐给大家。",
        "新版本修复了登录的问题，大家可以更新了。",
        "周末一起去喝咖啡吗？",
    ],
    "ja": [
        "こんにちは、今日はとても良い天気ですね。",
        "明日の会議は十時からに変更になりました。",
        "新しいカメラを買ったので、週末に写真を撮りに行きます。",
        "このラーメン屋さんは本当においしいです。",
    ],
    "de": [
        "Heute ist das Wetter schön und wir gehen in den Park.",
        "Hat jemand eine Empfehlung für ein gutes Buch über Geschichte?",
        "Die neue Version behebt den Fehler beim Anmelden.",
        "Ich habe heute zum ersten Mal Brot gebacken.",
    ],
    "fr": [
        "Bonjour tout le monde, je suis très content de vous voir.",
        "Il fait beau aujourd'hui, nous allons nous promener au parc.",
        "Quelqu'un connaît un bon restaurant près de la gare ?",
        "La nouvelle version corrige le problème de connexion.",
    ],
    "pt": [
        "Hoje o tempo está ótimo e vamos passear no parque com as crianças.",
        "Alguém sabe que horas abre a biblioteca no domingo?",
    ],
    "it": [
        "Oggi il tempo è bellissimo e andiamo al parco con i bambini.",
        "Qualcuno conosce un buon ristorante vicino alla stazione?",
    ],
    "nl": ["Vandaag is het mooi weer en we gaan naar het park met de kinderen."],
    "sv": ["Idag är det fint väder och vi ska gå till parken med barnen."],
    "pl": ["Dzisiaj jest piękna pogoda i idziemy z dziećmi do parku."],
    "tr": ["Bugün hava çok güzel ve çocuklarla parka gidiyoruz."],
    "ru": ["Сегодня прекрасная погода, и мы идём в парк с детьми."],
    "ko": ["오늘은 날씨가 정말 좋아서 아이들과 공원에 갑니다."],
    "ar": ["الطقس جميل اليوم وسنذهب إلى الحديقة مع الأطفال."],
    "vi": ["Hôm nay trời rất đẹp và chúng tôi đi công viên với các con."],
}

# Posts with no clear language: the detector should mostly say '' (unsure).
NOISY = [
    "",
    "ok",
    "lol",
    "+1",
    "👍👍👍",
    "hello world",
    "Hola amigos",
    "123 456 789",
    "!!! ??? ...",
    "https://example.com/some/path?x=1",
    "#coffee #music #weekend",
    "@alice @bob thanks",
    "bench post 1-1712345678901234567-1",
    "bench post 2-1712345678901234999-42",
    "ok so maybe",
    "Das ist gut",
    "😂😂😂 omg",
    "v2.3.1 released",
    "asdf qwer zxcv",
    "...",
]


def seed_bodies(count: int) -> list[tuple[str, str]]:
    """Return `count` (body, language) pairs as `flask seed` writes them, some replying or tagged."""
    from app.cli.seed import TAGS, make_body

    rng = random.Random(1)
    bodies = []
    for _ in range(count):
        body, code = make_body(rng)
        if rng.random() < REPLY_SHARE:
            body = f"@user{rng.randrange(10_000)} {body}"
        if rng.random() < TAG_SHARE:
            body += " #" + rng.choice(TAGS)
        bodies.append((body[:140], code))
    return bodies


def mix() -> list[tuple[str, str | None]]:
    """Return the texts with the language each should get (None: no expectation, '' is best)."""
    labelled = [(text, code) for code, texts in SENTENCES.items() for text in texts]
    return [*seed_bodies(SEED_BODIES), *labelled, *((text, None) for text in NOISY)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="times each text is timed")
    parser.add_argument("--save", type=Path, help="write {text: answer} to this JSON file")
    parser.add_argument("--compare", type=Path, help="a JSON file of earlier answers to compare with")
    args = parser.parse_args()

    started = time.perf_counter()
    from app.translate.language import detect_language

    imported = time.perf_counter()
    detect_language("The weather is lovely today and we are going to the park.")
    first_call = time.perf_counter()
    print(f"import: {1000 * (imported - started):.1f} ms, first call: {1000 * (first_call - imported):.1f} ms")

    texts = mix()
    answers = {text: detect_language(text) for text, _ in texts}
    costs = []
    repeatable = True
    for _ in range(args.rounds):
        for text, _ in texts:
            before = time.perf_counter_ns()
            answer = detect_language(text)
            costs.append((time.perf_counter_ns() - before) / 1e6)
            repeatable = repeatable and answer == answers[text]
    print(
        f"{len(texts)} texts x {args.rounds} rounds: mean {statistics.fmean(costs):.3f} ms, "
        f"p50 {percentile(costs, 0.50):.3f} ms, p99 {percentile(costs, 0.99):.3f} ms, "
        f"max {max(costs):.3f} ms per call"
    )
    print(f"same answer every time: {'yes' if repeatable else 'NO'}")

    by_language: dict[str, Counter] = {}
    for text, expected in texts:
        if expected is not None:
            by_language.setdefault(expected, Counter())[answers[text] == expected] += 1
    right = sum(counts[True] for counts in by_language.values())
    total = sum(counts.total() for counts in by_language.values())
    shares = ", ".join(f"{code} {counts[True]}/{counts.total()}" for code, counts in by_language.items())
    print(f"labelled texts given their language: {right}/{total} ({100 * right / total:.1f}%): {shares}")
    wrong = [(text, expected, answers[text]) for text, expected in texts if expected and answers[text] != expected]
    for text, expected, answer in wrong[:12]:
        print(f"  expected {expected!r}, got {answer!r}: {text}")
    noisy = [text for text, expected in texts if expected is None]
    unknown = sum(1 for text in noisy if answers[text] == "")
    print(
        f"noisy texts left unknown: {unknown}/{len(noisy)}; "
        f"others: {', '.join(f'{text!r}->{answers[text]}' for text in noisy if answers[text])}"
    )

    if args.save:
        args.save.write_text(json.dumps(answers, ensure_ascii=False, indent=0))
    if args.compare:
        earlier = json.loads(args.compare.read_text())
        shared = [text for text in answers if text in earlier]
        same = sum(1 for text in shared if answers[text] == earlier[text])
        print(f"agreement with {args.compare.name}: {same}/{len(shared)} ({100 * same / len(shared):.1f}%)")
        for text in [text for text in shared if answers[text] != earlier[text]][:15]:
            print(f"  now {answers[text]!r}, was {earlier[text]!r}: {text}")


if __name__ == "__main__":
    main()
