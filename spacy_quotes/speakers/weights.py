"""The speaker resolver's numbers: evidence weights, margins and search windows, one home each.

A referent collects *evidence* of being a person (``person``) or an organisation (``org``),
and gender votes (``male`` / ``female``); ``person - org`` is its *margin*. The weights say
how much one clue counts; they were set by hand on news text (the seed articles and PolNeAR
dev) and are only compared with each other, so only their ratios matter.
"""

# ---- person / organisation evidence --------------------------------------------------------

# the entity label of one name occurrence (PERSON -> person, ORG/GPE/... -> org)
LABEL_EVIDENCE = 1.0
# an organisation noun in the name itself ("Defence Ministry", "Rosneft Oil Company")
ORG_NOUN_IN_NAME = 3.0
# a media name ("SANA") or a media noun before or in apposition to the name ("news agency
# SANA"); also an organisation noun in apposition ("Rosneft, the oil company")
MEDIUM_EVIDENCE = 2.0
APPOSED_ORG_NOUN = 2.0
# an honorific before the name ("Mr", "Dr") -> person
HONORIFIC_EVIDENCE = 3.0
# a title learned for the referent ("Kremlin spokesman X", "X, the German chancellor") -> person
TITLE_EVIDENCE = 3.0
# a pronoun resolved to the referent ("he"/"she" -> person, "it" -> org)
PRONOUN_EVIDENCE = 1.0
# the head noun of an unnamed source ("a source" -> person, "the ministry" -> org)
DESCRIPTION_EVIDENCE = 2.0

# ---- gender votes --------------------------------------------------------------------------

# a gendered honorific or title ("Mrs", "spokeswoman") before or in apposition to the name
TITLE_GENDER_VOTES = 2
# a "he"/"she" resolved to the referent; a lone gendered pronoun in a sentence whose only
# named subject is the referent; the gendered head noun of a description ("a woman")
GENDER_VOTE = 1

# ---- margins -------------------------------------------------------------------------------

# "he"/"she" never refers to a referent whose margin is at most -PRONOUN_MARGIN (clearly an
# organisation); "it"/"they" never to one whose margin is PRONOUN_MARGIN or more (clearly a
# person)
PRONOUN_MARGIN = 1.5

# ---- windows -------------------------------------------------------------------------------

# how many salience events (mentions) back a pronoun looks for its antecedent, at most
PRONOUN_EVENTS = 80
# a quote continues the previous one only when at most this many tokens lie between them
CONTINUATION_GAP_TOKENS = 60
# how many tokens before a name its title may start ("Kremlin spokesman Dmitry Peskov")
TITLE_TOKENS = 10
# a title nobody had links to the next sentence's subject only in the article's lead: in
# its first LEAD_SENTENCES sentences ("Turkey's president accused ... Recep Tayyip Erdogan")
LEAD_SENTENCES = 3
# how many levels of modifiers of an apposition are read as its title's modifiers
APPOSITION_DEPTH = 3
# the longest head chain followed to rank a mention's candidate heads by depth
HEAD_DEPTH = 50
# how many heads up a comma's next token is followed to the clause it starts (trimming
# "the coalition, led by the US,")
CLAUSE_STEPS = 6
# how many heads up a cue's verb is followed to find its subject ("said", "went on to say")
CUE_STEPS = 4
# how many heads up a cue is followed to the quote verb that relays it ("quoted X as saying")
RELAY_STEPS = 3
# how many heads up a word is followed to the cue verb it modifies ("she said on Friday")
ADVERBIAL_STEPS = 4

# ---- names ---------------------------------------------------------------------------------

# a one-word name in capitals of this many letters may be an acronym ("UN", "NATO", "OPCW")
ACRONYM_LENGTH = (2, 6)
# two modifiers agree ("turkish" / "turkey") when they share a prefix of at least this many
# letters and at least this share of the shorter one
DEMONYM_PREFIX = 4
DEMONYM_SHARE = 0.6
