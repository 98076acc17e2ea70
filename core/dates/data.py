"""Training pairs for the date translator: human-written date → ISO date (or "no date").

The course made its pairs with Faker and babel from one list of formats. People write
dates in many more ways, so the generator here draws from *families* of formats (the
course's own list is one of them) and also makes non-dates and impossible dates, which
the model learns to answer with a single symbol.

Conventions (also in the README and on the page):
- `/` and `-` numeric dates read month first (US, as babel's en_US short format 10/9/93);
- `.` and space-separated numeric dates read day first (the course's dd.MM.YY and d MM YY);
- a numeric date that starts with a four-digit year reads year-month-day (ISO);
- two-digit years use the POSIX window (as Python's %y): 69–99 → 1969–1999, 00–68 → 2000–2068.
"""
from __future__ import annotations

import calendar
import datetime as dt
import random
import unicodedata

import numpy as np
from babel.dates import format_date
from faker import Faker

# ----------------------------------------------------------------------------- vocabularies
Tx = 48  # longest input, in characters (the course used 30)
Ty = 11  # "YYYY-MM-DD" plus the end symbol

PAD, UNK = "<pad>", "<unk>"
START, END = "<s>", "</s>"
NOT_A_DATE = "?"  # the model's whole answer for text that holds no date
IMPOSSIBLE = "!"  # ... and for a date that is not on the calendar (February 30)

HUMAN_CHARS = " abcdefghijklmnopqrstuvwxyz0123456789.,/-:+'()@#&;!?\"_"
human_vocab = {PAD: 0, UNK: 1, **{c: i + 2 for i, c in enumerate(HUMAN_CHARS)}}
machine_vocab = {PAD: 0, START: 1, END: 2, "-": 3, NOT_A_DATE: 4, IMPOSSIBLE: 5,
                 **{str(d): 6 + d for d in range(10)}}
inv_machine_vocab = {i: t for t, i in machine_vocab.items()}

TWO_DIGIT_PIVOT = 69  # %y window: 69..99 → 19xx, 00..68 → 20xx
FIRST_YEAR, LAST_YEAR = 1900, 2099

FAMILIES = ("course", "weekday", "ordinal", "month_name", "numeric", "year_first",
            "with_time", "sentence", "messy", "not_a_date", "impossible")
# share of each family in a generated data set
FAMILY_WEIGHTS = {"course": 0.12, "weekday": 0.08, "ordinal": 0.10, "month_name": 0.12,
                  "numeric": 0.13, "year_first": 0.06, "with_time": 0.08, "sentence": 0.08,
                  "messy": 0.09, "not_a_date": 0.08, "impossible": 0.06}

# The course's babel formats. The course wrote YYY, which in babel is the *week-based* year
# and mislabels the last days of December; we write y.
COURSE_FORMATS = ["short", "medium", "long", "full", "d MMM y", "d MMMM y", "dd MMM y",
                  "d MMM, y", "d MMMM, y", "dd, MMM y", "d MM yy", "MMMM d y", "MMMM d, y",
                  "dd.MM.yy"]

MONTHS = [calendar.month_name[m].lower() for m in range(1, 13)]
MONTH_ABBR = [calendar.month_abbr[m].lower() for m in range(1, 13)]
MONTH_ABBR_EXTRA = {9: ["sept"]}
WEEKDAYS = [calendar.day_name[d].lower() for d in range(7)]
WEEKDAY_ABBR = [calendar.day_abbr[d].lower() for d in range(7)]

_ONES = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
         "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
         "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
_TENS = {20: ("twentieth", "twenty"), 30: ("thirtieth", "thirty")}


def ordinal_suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def ordinal_words(day: int) -> str:
    """1 → 'first', 26 → 'twenty-sixth' (how the day is said aloud)."""
    if day < 20:
        return _ONES[day]
    tens, ones = divmod(day, 10)
    ordinal, cardinal = _TENS[tens * 10]
    return ordinal if ones == 0 else f"{cardinal}-{_ONES[ones]}"


# ----------------------------------------------------------------------------- encoding
def normalize_text(text: str) -> str:
    """Lower-case and fold accents (é → e) the way the model's inputs were made."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return folded.lower()


def string_to_int(text: str, length: int, vocab: dict) -> list[int]:
    """The course's helper: characters → indices, padded to `length` (never cut here)."""
    ids = [vocab.get(c, vocab[UNK]) for c in text]
    return ids + [vocab[PAD]] * (length - len(ids))


def target_tokens(answer: str) -> list[str]:
    """'1993-10-09' → its 10 characters + END; '?' / '!' → that symbol + END."""
    return list(answer) + [END]


def preprocess_data(pairs, tx: int = Tx, ty: int = Ty):
    """Pairs → (X, Y_in, Y_out): input ids, decoder inputs (START + shifted), targets.

    X is (m, Tx) character ids (the model one-hots them); Y_in/Y_out are (m, Ty) ids.
    Y_out is padded with PAD after END; those steps get zero weight in the loss.
    """
    m = len(pairs)
    X = np.zeros((m, tx), dtype=np.int32)
    Y_in = np.zeros((m, ty), dtype=np.int32)
    Y_out = np.zeros((m, ty), dtype=np.int32)
    for i, (text, answer) in enumerate(pairs):
        X[i] = string_to_int(normalize_text(text), tx, human_vocab)
        out = [machine_vocab[t] for t in target_tokens(answer)]
        Y_out[i, : len(out)] = out
        Y_in[i, 0] = machine_vocab[START]
        Y_in[i, 1 : len(out)] = out[:-1]
    return X, Y_in, Y_out


# ----------------------------------------------------------------------------- generator
class DateGenerator:
    """Draws (human text, answer) pairs; one seeded RNG so a data set can be remade."""

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)

    # --- pieces ------------------------------------------------------------------------
    def random_date(self, two_digit_ok: bool = False) -> dt.date:
        r = self.rng
        lo, hi = (1969, 2068) if two_digit_ok else (FIRST_YEAR, LAST_YEAR)
        if r.random() < 0.6:  # most real dates are recent
            lo, hi = max(lo, 1950), min(hi, 2035)
        year = r.randint(lo, hi)
        month = r.randint(1, 12)
        day = r.randint(1, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day)

    def month_word(self, month: int) -> str:
        r = self.rng
        choice = r.random()
        if choice < 0.45:
            return MONTHS[month - 1]
        abbr = r.choice([MONTH_ABBR[month - 1]] + MONTH_ABBR_EXTRA.get(month, []))
        return abbr + "." if choice < 0.65 else abbr

    def day_word(self, day: int, allow_words: bool = True) -> str:
        r = self.rng
        choice = r.random()
        if choice < 0.45:
            return str(day)
        if choice < 0.6:
            return f"{day:02d}"
        if choice < 0.9 or not allow_words:
            return f"{day}{ordinal_suffix(day)}"
        return ordinal_words(day)

    def year_word(self, year: int, two_digit_ok: bool) -> str:
        if two_digit_ok and self.rng.random() < 0.3:
            return f"'{year % 100:02d}" if self.rng.random() < 0.2 else f"{year % 100:02d}"
        return str(year)

    def weekday_word(self, date: dt.date) -> str:
        r = self.rng
        wd = date.weekday()
        word = WEEKDAYS[wd] if r.random() < 0.5 else WEEKDAY_ABBR[wd]
        return word + r.choice(["", "", ",", "."])

    def time_of_day(self) -> str:
        r = self.rng
        h, m, s = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
        return r.choice([
            f"{h:02d}:{m:02d}:{s:02d}", f"{h:02d}:{m:02d}", f"{h}:{m:02d}",
            f"{(h % 12) or 12}:{m:02d} {r.choice(['am', 'pm', 'AM', 'PM'])}",
            f"{(h % 12) or 12}{r.choice(['am', 'pm'])}",
            f"{(h % 12) or 12}:{m:02d}{r.choice(['am', 'pm'])}",
            f"{h:02d}:{m:02d}:{s:02d}.{r.randint(0, 999):03d}",
        ])

    def time_zone(self) -> str:
        r = self.rng
        return r.choice([
            "utc", "gmt", "z", "est", "pst", "cet", "bst", "edt",
            f"+{r.randint(0, 12):02d}:00", f"-{r.randint(0, 11):02d}:00",
            f"+{r.randint(0, 12):02d}{r.choice(['00', '30'])}", "+0000",
        ])

    # --- families ------------------------------------------------------------------------
    def course(self):
        date = self.random_date(two_digit_ok=True)
        text = format_date(date, format=self.rng.choice(COURSE_FORMATS), locale="en_US")
        return text, date

    def weekday(self):
        r = self.rng
        date = self.random_date()
        w, d, mo, y = self.weekday_word(date), self.day_word(date.day, False), \
            self.month_word(date.month), str(date.year)
        text = r.choice([
            f"{w} {d} {mo} {y}", f"{w} {mo} {d}, {y}", f"{w} {mo} {d} {y}",
            f"{w} {d} {mo}, {y}", f"{w}, {mo} {d} {y}",
            f"{d} {mo} {y} ({w.strip(',.')})", f"{mo} {d}, {y}, {w.strip(',.')}",
            f"{w} the {date.day}{ordinal_suffix(date.day)} of {mo} {y}",
            f"{w} {date.month}/{date.day}/{y}", f"{w} {date.day}.{date.month}.{y}",
        ])
        return text, date

    def ordinal(self):
        r = self.rng
        date = self.random_date()
        day = date.day
        th = f"{day}{ordinal_suffix(day)}"
        said = ordinal_words(day)
        mo, y = self.month_word(date.month), self.year_word(date.year, False)
        text = r.choice([
            f"{th} of {mo} {y}", f"{th} of {mo}, {y}", f"the {th} of {mo} {y}",
            f"the {th} of {mo}, {y}", f"{mo} {th}, {y}", f"{mo} {th} {y}", f"{th} {mo} {y}",
            f"{mo} {said}, {y}", f"{mo} the {said}, {y}", f"the {said} of {mo} {y}",
            f"{said} of {mo} {y}", f"{mo} {said} {y}", f"{mo} the {th}, {y}",
        ])
        return text, date

    def month_name(self):
        r = self.rng
        date = self.random_date(two_digit_ok=True)
        d = self.day_word(date.day, False)
        mo = self.month_word(date.month)
        y = self.year_word(date.year, two_digit_ok=True) if r.random() < 0.25 else str(date.year)
        text = r.choice([
            f"{d} {mo} {y}", f"{mo} {d} {y}", f"{mo} {d}, {y}", f"{d} {mo}, {y}",
            f"{d}-{mo}-{y}", f"{d}/{mo}/{y}", f"{mo}-{d}-{y}", f"{d}{mo}{y}",
            f"{date.year} {mo} {d}", f"{date.year}-{mo}-{d}", f"{d}. {mo} {y}",
            f"{mo}. {d}, {y}".replace("..", "."), f"{d} {mo}. {y}".replace("..", "."),
        ])
        if len(y) < 4 and text.startswith(str(date.year)):
            text = f"{d} {mo} {y}"
        return text, date

    def numeric_text(self, date: dt.date, sep: str) -> str:
        """A numeric date with the convention of its separator (see the module docstring)."""
        r = self.rng
        two = date.year in range(1969, 2069) and r.random() < 0.4
        y = f"{date.year % 100:02d}" if two else str(date.year)
        pad = r.random() < 0.5
        m = f"{date.month:02d}" if pad else str(date.month)
        d = f"{date.day:02d}" if pad else str(date.day)
        if sep in ("/", "-"):
            return f"{m}{sep}{d}{sep}{y}"
        if sep in (".", " "):
            return f"{d}{sep}{m}{sep}{y}"
        return f"{date.year}{date.month:02d}{date.day:02d}"  # no separator: ISO basic

    def numeric(self):
        sep = self.rng.choice(["/", "/", "-", ".", ".", " ", ""])
        date = self.random_date(two_digit_ok=True)
        return self.numeric_text(date, sep), date

    def year_first(self):
        r = self.rng
        date = self.random_date()
        sep = r.choice(["-", "-", "/", ".", " "])
        pad = r.random() < 0.8
        m = f"{date.month:02d}" if pad else str(date.month)
        d = f"{date.day:02d}" if pad else str(date.day)
        return f"{date.year}{sep}{m}{sep}{d}", date

    def with_time(self):
        r = self.rng
        date = self.random_date()
        t, tz = self.time_of_day(), self.time_zone()
        wd = WEEKDAY_ABBR[date.weekday()]
        mo = MONTH_ABBR[date.month - 1]
        h, mi, s = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
        text = r.choice([
            f"{wd} {mo} {date.day:2d} {h:02d}:{mi:02d}:{s:02d} {date.year}",  # ctime
            f"{date.isoformat()}t{h:02d}:{mi:02d}:{s:02d}{r.choice(['+00:00', 'z', '-05:00', '.000z', ''])}",
            f"{date.isoformat()} {h:02d}:{mi:02d}:{s:02d}",
            f"{date.year}{date.month:02d}{date.day:02d}t{h:02d}{mi:02d}{s:02d}{r.choice(['z', ''])}",
            f"{date.day:02d}/{mo}/{date.year}:{h:02d}:{mi:02d}:{s:02d} {r.choice(['+0000', '-0700'])}",
            f"{wd} {mo} {date.day:02d} {date.year} {h:02d}:{mi:02d}:{s:02d} gmt{r.choice(['+0000', '-0500', '+0100'])}",
            f"{wd}, {date.day:02d} {mo} {date.year} {h:02d}:{mi:02d}:{s:02d} {r.choice(['+0000', 'gmt', '-0700'])}",
            f"{self.numeric_text(date, r.choice(['/', '.']))} {t}",
            f"{self.numeric_text(date, '/')}, {t}",
            f"{MONTHS[date.month - 1]} {date.day}, {date.year} at {t}",
            f"{date.day} {self.month_word(date.month)} {date.year} {t} {tz}",
            f"{date.year}-{date.month:02d}-{date.day:02d} {t} {tz}",
            f"{self.month_word(date.month)} {date.day} {date.year} {t}",
        ])
        return text, date

    def sentence(self):
        r = self.rng
        date, inner = self.any_date_text()
        lead = r.choice(["born on", "due", "on", "date:", "meeting on", "it happened on",
                         "we met on", "deadline", "from", "signed", "posted on",
                         "delivered", "since", "dob:", "expires", "paid on", "see you",
                         "released", "as of", "updated"])
        tail = r.choice(["", "", ".", "!", " at noon", " please", " ok?", " (approx)",
                         " in paris", " - thanks", " morning", "?"])
        text = r.choice([f"{lead} {inner}{tail}", f"{inner}{tail}",
                         f"{lead} {inner}", f"{inner} {r.choice(['was great', 'is fine', 'ok'])}"])
        if len(text) > Tx:
            text = inner
        return text, date

    def any_date_text(self):
        family = self.rng.choice(["course", "weekday", "ordinal", "month_name", "numeric",
                                  "year_first", "with_time"])
        text, date = getattr(self, family)()
        return date, text

    def messy(self):
        """Any date, with the case, spaces and punctuation of real typing."""
        r = self.rng
        date, text = self.any_date_text()
        for _ in range(r.randint(1, 3)):
            move = r.randrange(7)
            if move == 0:
                text = text.upper()
            elif move == 1:
                text = "".join(c.upper() if r.random() < 0.5 else c for c in text)
            elif move == 2:
                text = text.title()
            elif move == 3:
                text = text.replace(" ", "  ", r.randint(1, 2))
            elif move == 4:
                text = r.choice([" ", "  ", "(", '"', "[", "-"]) + text
            elif move == 5:
                text = text + r.choice([" ", ".", ",", ")", '"', "!", ";", "  "])
            else:
                text = text.replace(",", r.choice(["", " ,", ",,"]), 1)
        return text.strip() if r.random() < 0.3 else text, date

    def not_a_date(self):
        r = self.rng
        f = self.fake
        date = self.random_date()
        mo = self.month_word(date.month)
        text = r.choice([
            lambda: f.word(), lambda: f.sentence(nb_words=r.randint(2, 6)),
            lambda: f.name(), lambda: f.city(), lambda: str(r.randint(0, 10 ** r.randint(1, 9))),
            lambda: f.phone_number(), lambda: self.time_of_day(),
            lambda: f"{mo} {date.year}", lambda: f"{mo} {self.day_word(date.day)}",
            lambda: str(date.year), lambda: f"{date.month}/{date.year}",
            lambda: f"{self.day_word(date.day)} of {mo}", lambda: f.street_address(),
            lambda: f.email(), lambda: f"{r.randint(1, 99)}.{r.randint(0, 99)}",
            lambda: f.color_name().lower(), lambda: f"{r.randint(1, 999)} {f.word()}s",
            lambda: r.choice(["today", "tomorrow", "yesterday", "next week",
                                          "now", "soon", "never", "monday", "weekend"]),
            lambda: f"{f.word()} {r.randint(1, 31)}", lambda: f.ipv4(),
            lambda: f"{r.randint(1, 12)}:{r.randint(0, 59):02d}",
        ])()
        return text[:Tx], NOT_A_DATE

    def impossible(self):
        """A well-formed date that is not on the calendar: February 30, April 31, month 13."""
        r = self.rng
        year = r.randint(1950, 2035) if r.random() < 0.6 else r.randint(FIRST_YEAR, LAST_YEAR)
        month = r.randint(1, 12)
        last = calendar.monthrange(year, month)[1]
        if month == 2 and r.random() < 0.5:
            day = 29 if not calendar.isleap(year) else 30
            day = r.choice([day, 30, 31]) if day == 29 else r.choice([30, 31])
        else:
            day = r.randint(last + 1, 31) if last < 31 and r.random() < 0.7 else r.randint(32, 39)
        mo_word = self.month_word(month)
        how = r.randrange(6)
        if how == 0:
            text = f"{mo_word} {day}, {year}"
        elif how == 1:
            text = f"{day} {mo_word} {year}"
        elif how == 2:
            text = f"{month}/{day}/{year}"
        elif how == 3:
            text = f"{day}.{month:02d}.{year}"
        elif how == 4:
            text = f"{year}-{month:02d}-{day:02d}"
        else:  # month 13+ written numerically
            m_bad = r.randint(13, 19)
            text = r.choice([f"{m_bad}/{r.randint(1, 28)}/{year}", f"{year}-{m_bad}-{r.randint(1, 28):02d}",
                             f"{r.randint(1, 28)}.{m_bad}.{year}"])
        return text, IMPOSSIBLE

    # --- the data set ---------------------------------------------------------------------
    def pair(self, family: str):
        """One (text, answer, family) triple; answer is ISO, '?' or '!'."""
        text, answer = getattr(self, family)()
        if isinstance(answer, dt.date):
            answer = answer.isoformat()
        text = text.strip(" ") if len(text) > Tx else text
        if len(normalize_text(text)) > Tx:  # too long for the model: draw again
            return self.pair(family)
        return text, answer, family

    def dataset(self, m: int, families=FAMILIES):
        weights = [FAMILY_WEIGHTS[f] for f in families]
        picks = self.rng.choices(list(families), weights=weights, k=m)
        return [self.pair(f) for f in picks]


def load_dataset(m: int, seed: int = 0):
    """The course's name: m (human, machine, family) triples plus the vocabularies."""
    return DateGenerator(seed).dataset(m), human_vocab, machine_vocab, inv_machine_vocab
