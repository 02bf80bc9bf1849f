"""The threat lexicon, Swedish and English: what a threat is about (a review, a rating,
friends and followers; a bank dispute, a chargeback, Klarna or PayPal), the stance that makes
it one ("unless", "I'll", "annars", "tänker", "last chance"), an offer about a review ("I'll
remove my review if ..."), a report that a dispute was filed ("jag har bestridit"), and what
vetoes a threat (the writer's refusal, praise, a bank named only as how one pays).

Widened only from the training split's threat sentences (README: "Understanding a message").
"""

from __future__ import annotations

import re


def _words(*alternatives: str) -> str:
    return r"(?:" + "|".join(alternatives) + r")"


# The money coming back whatever the shop does, which only the card or the bank can do ("I
# paid by card, so that money comes back to me one way or another"): a dispute and its stance.
_MONEY_BACK_ANYWAY = _words(
    r"\bmoney\b.{0,20}\bback\b.{0,20}\b(?:either way|one way or (?:the )?(?:other|another)"
    r"|anyway|regardless)",
    r"\bpengarna\b.{0,25}\btillbaka\b.{0,20}(?:på ett eller annat sätt|hur som helst|ändå"
    r"|oavsett)",
)

# What a threat is about.
_REVIEW = _words(
    r"reviews?",
    r"rating",
    r"\b(?:1|one|a single)[- ]?stars?\b",
    r"\bstars?\b",
    r"trust ?pilot",
    r"google",
    r"facebook",
    r"instagram",
    r"tik ?tok",
    r"twitter",
    r"\bx\.com",
    r"reddit",
    r"followers",
    r"(?:all|every one of) my friends",
    r"tell (?:everyone|everybody|all)",
    r"social media",
    r"(?:post|write) about",
    r"expose you",
    r"warn (?:others|people|everyone)",
    r"\b(?:my|the|that) (?:\w+ )?(?:post|comment)\b(?! office)",
    r"recension(?:er|en)?",
    r"recention",
    r"omdöme(?:n|t)?",
    r"betyg(?:et)?",
    r"\b(?:1|en|ett)[- ]?stjärn(?:a|or)\b",
    r"stjärn(?:a|or|an|orna)",
    r"följare",
    r"(?:alla )?mina vänner",
    r"berätta för alla",
    r"sociala medier",
    r"skriva om er",
    r"varna (?:andra|alla)",
    r"prisjakt",
    r"reco\.se",
    r"flashback",
    r"\bblog",
    r"\bblogg",
    r"\bforum",
    r"\b(?:mums?|moms?|parents?|neighbou?rhood) group",
    r"(?:mamma|föräldra|grann)grupp\w*",
    r"(?:the )?whole internet",
    r"hela internet",
    r"scathing",
    r"\bettan\b",
    r"enstjärnig\w*",
    r"\binlägg(?:et)?\b",
    r"\beveryone (?:at|in) my\b",
    r"\balla (?:på|i) mitt\b",
    r"\b(?:a|my) video (?:about|on)\b",
    r"\ben video om\b",
    r"\b(?:other|future) (?:customers|buyers|shoppers)\b.{0,30}\bknow\b",
    r"\bandra (?:kunder|köpare)\b.{0,30}\bveta\b",
    r"\bkommentar(?:en)?\b",
    # Going public elsewhere: video, the press, a community's page, a whole town.
    r"youtube",
    r"\b(?:goes|go|going) viral\b",
    r"\bgår viralt\b",
    r"\b(?:tell|warn) the (?:whole )?world\b",
    r"\bhela världen\b",
    r"\bbad (?:publicity|press)\b",
    r"\bdålig (?:publicitet|reklam|press)\b",
    r"\b(?:the|my) video\b",
    r"\bvideo(?:n|klipp\w*)\b",
    r"\b(?:my|min) (?:channel|kanal|podcast|podd)\b",
    r"linkedin",
    r"snapchat",
    r"\byelp\b",
    r"mumsnet",
    r"familjeliv",
    r"\bthe press\b",
    r"\bnews ?papers?\b",
    r"\b(?:local|the) papers?\b",
    r"\bjournalists?\b",
    r"\bthe media\b",
    r"(?:lokal|kvälls|dags)tidning\w*",
    r"\btidning(?:en|arna)?\b",
    r"\bjournalist\w*",
    r"\bmedia(?:rna)?\b",
    r"kalla fakta",
    r"\b(?:page|group|account) with [\d,.k ]+ (?:members|followers)\b",
    r"(?:sida|grupp|konto) med [\d  ]+ (?:medlemmar|följare)\b",
    r"\b(?:no ?one|nobody)\b.{0,25}\b(?:orders?|buys?|shops?)\b.{0,10}\bfrom you\b",
    r"\bingen\b.{0,25}\b(?:beställ|handla|köp)\w*.{0,10}\b(?:från|av|hos) er\b",
)
_BANK = _words(
    r"chargeback",
    r"charge ?back",
    r"dispute",
    r"disputing",
    r"disputed",
    r"my bank",
    r"the bank",
    r"card (?:company|issuer|provider)",
    r"credit card company",
    r"klarna",
    r"paypal",
    r"reverse the (?:charge|payment)",
    r"bestrid\w*",
    r"bestrida",
    r"\bbestred\b",
    r"banken",
    r"min bank",
    r"kortföretag\w*",
    r"kortutgivaren",
    r"återkr[äa]v\w*",
    r"reklamera (?:köpet|betalningen)",
    r"(?:with|hos|to|till|via) visa\b",
    r"mastercard",
    r"american express",
    r"\bamex\b",
    r"kortutgivare\w*",
    r"kreditkortsföretag\w*",
    r"\bbestridandet\b",
    r"\btvist\w*",
    r"contest the (?:charge|payment)",
    r"\bblock (?:the|this|my) (?:payment|charge|transaction)\b",
    r"\bspärra (?:betalningen|dragningen|köpet)\b",
    r"återkalla\w*",
    _MONEY_BACK_ANYWAY,
)
# What turns it into a threat, an offer, or a report.
_THREAT_STANCE = _words(
    r"\bi'?ll\b",
    r"\bi will\b",
    r"\bi'm going to\b",
    r"\bi am going to\b",
    r"\bgonna\b",
    r"\bunless\b",
    r"\botherwise\b",
    r"\bor else\b",
    r"\bor i\b",
    r"\bif (?:you|i don'?t|not)\b",
    r"\bwill be (?:leaving|posting|writing)\b",
    r"\bmake sure\b",
    r"\bi'?d have to\b",
    r"\bkommer (?:jag )?att\b",
    r"\bjag kommer\b",
    r"\btänker\b",
    r"\bska jag\b",
    r"\bjag ska\b",
    r"\bannars\b",
    r"\bom (?:ni|du) inte\b",
    r"\bom inte\b",
    r"\bom jag inte\b",
    r"\bblir det\b",
    r"\btvingas\b",
    r"\btvingad\b",
    r"\b(?:annars|så|då|nu) får jag\b",
    r"\bif nothing\b",
    r"\bom inget\b",
    r"\bom ingen\b",
    # A refusal taken back ("I don't want to involve my card company, but I will").
    r"\bbut (?:i|we) (?:will|do|am going to)\b",
    r"\bmen (?:jag|vi) (?:gör|kommer|ska|tänker)\b",
    # A deadline ("Ni har till slutet av veckan, sen ...").
    r"\byou(?:'ve| have)(?: got)? (?:until|till)\b",
    r"\b(?:ni|du) har (?:på er |på dig )?(?:till|fram till|tills)\b",
    r"\bif (?:no ?one|nobody)\b",
    r"\byour (?:choice|call)\b",
    r"\b(?:ni|du) väljer\b",
    r"\b(?:ert|ditt) val\b",
    r"\bcan always\b",
    r"\bkan (?:jag )?alltid\b",
    r"\bkommer (?:att )?(?:få|höra|märka|veta|ångra)\b",
    r"\b(?:considering|thinking (?:of|about))\b",
    r"\bfunderar (?:\w+ )?på\b",
    r"\bstill have time to\b",
    r"\bhinner (?:fortfarande|än)\b",
    r"\b(?:dispute|chargeback|claim) form\b",
    r"\b(?:bestridande|återkravs)?(?:formuläret|blanketten)\b",
    r"\bom ingenting\b",
    # Swedish present with the subject after the verb says what the customer will do.
    r"\b(?:bestrider|ringer|kontaktar|anmäler|ger|skriver|lägger|berättar|varnar)\s+jag\b",
    r"\bjag (?:ger|varnar|skriver|lägger|berättar|sätter)\b",
    # Ultimatums: the last chance, the next step, what the customer is ready to do.
    r"\bdon'?t (?:make|force) me\b",
    r"\btvinga mig inte\b",
    r"\beither\b",
    r"\bantingen\b",
    r"\b(?:prepared|ready) to\b",
    r"\b(?:beredd|redo) att\b",
    r"\bone step (?:away )?from\b",
    r"\bett steg från\b",
    r"\bnext (?:call|step)\b",
    r"\bnästa (?:samtal|steg)\b",
    r"\bone more day\b",
    r"\ben dag till\b",
    r"\bif i have to\b",
    r"\bom jag måste\b",
    r"\bi'?m (?:leaving|posting|writing|giving|disputing|about to|recording|filming)\b",
    r"\bjag (?:spelar in|filmar)\b",
    r"\bshould i (?:just|simply)\b",
    r"\blast (?:chance|warning)\b",
    r"\bsista (?:chansen|varningen)\b",
    r"\bexpect\b",
    r"\bräkna med\b",
    r"\babout to\b",
    r"\bpå väg att\b",
    r"\byou'?ll be hearing\b",
    r"\bif (?:this|it|that) (?:keeps|goes|continues|isn'?t|is not|doesn'?t)\b",
    r"\bom (?:det här|detta|det) (?:fortsätter|inte)\b",
    r"\bdå får\b",
    r"\bor you'?re\b",
    r"\bom ni (?:ignorerar|struntar|fortsätter)\b",
    r"\b(?:already|redan) (?:drafted|written|skriven|skrivet)\b",
    r"\bwaiting (?:for|on) your (?:answer|reply)\b",
    r"\bväntar (?:bara )?på ert svar\b",
    r"\b(?:means|betyder)\b",
    r"\b(?:this|so) close to\b",
    r"\bbefore i (?:leave|call|contact|tell|post|write|go|take|contest|dispute|report|share"
    r"|file|escalate|give)\b",
    r"\binnan jag (?:lämnar|ringer|kontaktar|berättar|ger|skriver|lägger|postar|går|tar"
    r"|bestrider|anmäler|delar)\b",
    r"\bno choice but\b",
    r"\b(?:little|not much|no other) choice\b",
    r"\binget (?:annat )?val\b",
    r"\b(?:inte (?:så )?mycket|lite|föga) val\b",
    r"\b(?:tempting|lockande)\b",
    r"\bgör jag\b",
    r"\bså (?:här )?nära\b",
    r"\bwatch me\b",
    r"\bdo you want me to\b",
    r"\bvill (?:ni|du) att jag\b",
    r"\bvänta (?:bara )?tills\b",
    r"\b(?:is|are) going to know\b",
    r"\bjag (?:bestrider|ringer|kontaktar|anmäler|återkallar)\b",
    _MONEY_BACK_ANYWAY,
)
# Taking a review down or changing it (the review itself may be named elsewhere in the sentence).
_OFFER = _words(
    r"\b(?:remov|delet|chang|updat)(?:e|es|ed|ing)\b",
    r"\b(?:take\b.{0,20}\b(?:down|off)|edit(?:s|ed)?|withdraw(?:n|s)?|pull(?:s|ed)?)\b",
    r"\bbecome an? (?:5|five|4|four)\b",
    r"\b(?:sort|fix) (?:out )?(?:the|my) (?:review|rating)\b",
    r"\bt(?:a|ar) (?:\w+ )?ner\b",
    r"\bbli en (?:femma|fyra)\b",
    r"\bfixar (?:recensionen|omdömet|betyget)\b",
    r"\braderas\b",
    r"\b(?:review|rating|post) (?:stays|goes)\b",
    r"\b(?:review|rating|post) (?:is |will )?(?:stay(?:s|ing)?|remain(?:s|ing)?) (?:at|up)\b",
    r"\b(?:recensionen|omdömet|betyget|inlägget) (?:stannar|ligger kvar) på\b",
    r"\b(?:raise|revise)\b",
    r"\bstays? up\b",
    r"\b(?:goes|go) (?:away|up)\b",
    r"\bdisappears?\b",
    r"\b(?:comes?|come) down\b",
    r"\bt(?:a|ar) bort\b",
    r"\btar (?:\w+ )?bort\b",
    r"\btas bort\b",
    r"\bförsvinn\w*",
    r"\bhöjs\b",
    r"\brevider\w*",
    r"\bändras\b",
    r"\bligger kvar\b",
    r"\bdrar (?:jag )?tillbaka\b",
    r"\bsay something (?:very |quite |completely )?different\b",
    r"\blåta (?:helt |väldigt )?annorlunda\b",
    r"\bgone\b",
    r"\bborta\b",
    r"\bradera(?:r)?\b",
    r"\bändra(?:r)?\b",
    r"\buppdatera(?:r)?\b",
    r"\bhöj(?:a|er)\b",
    r"\bdra(?:r)? tillbaka\b",
    r"\bligger kvar tills\b",
    r"\b(?:comes?|come) off\b",
    r"\b(?:retract|rewrite|improve)\w*",
    r"\bskriv\w* (?:\w+ )?om (?:min|mitt|recensionen|omdömet|betyget)\b",
    r"\bblir\b.{0,30}\bbättre\b",
    r"\bredigera\w*",
    r"\btone (?:it |that |this )?down\b",
    r"\btona ner\b",
    r"\b(?:turn|change)s? (?:in)?to (?:a )?(?:5|five|4|four)\b",
    r"\bblir? (?:det )?(?:5|fem|4|fyra) stjärnor\b",
    r"\b(?:is|är)\b.{0,30}\bhistor(?:y|ia)\b",
    r"\b(?:get|gets|getting) rid of\b",
    r"\bbli av med\b",
    r"\binstead of (?:the one|the review|what) i (?:wrote|posted|left|gave)\b",
    r"\bistället för (?:det|den|vad) (?:jag )?(?:skrev|postade|lämnade|gav)\b",
    r"\b(?:stars?|rating)(?: \w+)? back\b",
    r"\btillbaka (?:era|dina|de|sina) (?:\w+ )?stjärn\w*|\bstjärn\w*(?: \w+)? tillbaka\b",
)
_OFFER_CONDITION = _words(
    r"\band (?:i'?ll|i will)\b",
    r"\buntil\b",
    r"\btills\b",
    r"\bthe (?:day|moment|minute)\b",
    r"\b(?:den|samma) dag(?:en)?\b",
    r"\b(?:only|first) after\b",
    r"\bförst efter\b",
    r"\ball you need\b",
    r"\bbehöver bara\b",
    r"\b(?:refund|send|pay|reship|cover|compensate|give)\b.{0,40}\band\b",
    r"\b(?:kompensera|ge)\b.{0,40}\bså\b",
    r"\b(?:återbetala|skicka|betala)\b.{0,40}\bså\b",
    r"\b(?:skickar|återbetalar|betalar|ersätter) ni\b",
    r"\bdeal\b",
    r"\b(?:do )?you want\b",
    r"\bvill ni\b",
    r"\bwould make\b",
    r"\bskulle få\b",
    r"\bså (?:ändrar|tar|raderar|försvinner|höjer|uppdaterar|drar|är|blir)\b",
    r"\bif\b",
    r"\bonce\b",
    r"\bwhen\b",
    r"\bas soon as\b",
    r"\bin exchange\b",
    r"\bafter you\b",
    r"\befter att (?:ni|du)\b",
    r"\bprovided\b",
    r"\bom\b",
    r"\bnär\b",
    r"\bså fort\b",
    r"\bbara (?:ni|du)\b",
    r"\bi utbyte\b",
    r"\bmot att\b",
    r"\bdepends (?:entirely )?on\b",
    r"\b(?:up to|worth to) you\b",
    r"\b(?:upp till|värt för) er\b",
    r"\bstår ni för\b",
    r"\bberor (?:helt )?på\b",
    r"\bwith the right\b",
    r"\bmed rätt\b",
    r"\b(?:unless|until) i (?:hear|get|see) an? offer\b",
    r"\bom jag inte (?:hör|får|ser) ett erbjudande\b",
)
_FILED = _words(
    r"\b(?:i'?ve|i have|i already|i just|we have|we've)\b.{0,25}"
    r"\b(?:disputed|filed|opened|started|raised|made|reported|contacted)\b",
    r"(?<!be )\b(?:disputed|filed a (?:dispute|chargeback|claim)"
    r"|opened a (?:dispute|case|claim))\b",
    r"\b(?:the bank|my bank|klarna|paypal) (?:is|are) (?:already |now )?(?:handling|investigating"
    r"|looking into|dealing with)\b",
    r"\b(?:the bank|my bank|klarna|paypal|visa|mastercard|amex) (?:has|have) (?:the|my) "
    r"(?:case|claim|dispute)\b",
    r"\b(?:chargeback|dispute|claim) (?:is|was|went|has gone) in\b",
    r"\b(?:återkravet|bestridandet|tvisten|anmälan) (?:är|gick|har gått) in\b",
    # Telegraphic reports that open the sentence: "Chargeback done, ...", "Återkrav gjort".
    r"^\W*(?:chargeback|dispute|återkrav|bestridande|tvist)\s+(?:done|filed|submitted|lodged"
    r"|made|gjort|gjord|klart|inlämnat|inskickat)\b",
    r"\b(?:är|har blivit) inlämna[dt]\b",
    r"\b(?:in the middle of|mitt i)\b.{0,20}\b(?:återkrav|chargeback|dispute|tvist|bestridande)",
    r"\b(?:already|now) (?:with|in the hands of) (?:my bank|the bank|klarna|paypal)\b",
    r"\bjag har\b.{0,25}\b(?:bestridit|anmält|reklamerat|kontaktat|öppnat|startat|gjort)\b",
    r"\bhar (?:redan|nu) (?:bestridit|anmält|reklamerat|kontaktat)\b",
    r"\bhar bestridit\b",
    r"\bhar jag\b.{0,25}\b(?:bestridit|anmält|reklamerat|kontaktat|öppnat|startat|gjort|bett)\b",
    r"\bjag har\b.{0,25}\b(?:tagit upp|lämnat in|bett)\b",
    r"\b(?:är|blev)(?: redan| nu)? bestrid(?:d|den|en)\b",
    r"\bi (?:lodged|filed|opened|raised|reported|disputed|submitted)\b",
    r"\bjag (?:anmälde|bestred|öppnade|lämnade in|gjorde en anmälan|tog upp|reklamerade"
    r"|startade)\b",
    r"\b(?:chargeback|dispute|bestridan|bestridandet|tvist(?:en)?|återkrav(?:et)?)\b.{0,20}"
    r"\b(?:already|under ?way|in progress|went through|has gone through|pågår|gick igenom"
    r"|was (?:submitted|filed|opened)|running|igång|skickades in|lämnades in)\b",
    r"\b(?:processing|behandlar|handling|hanterar|investigating|utreder|looking into)\b.{0,15}"
    r"\b(?:dispute|chargeback|bestridan|tvist)",
    r"\b(?:has|har) (?:my|min) (?:chargeback|dispute|bestridan)\b",
    r"\basked (?:my bank|the bank|klarna|paypal)\b.{0,30}\b(?:money back|reverse|refund)",
    r"\bbett (?:banken|min bank|klarna|paypal)\b.{0,30}\btillbaka\b",
    r"\bput\b.{0,20}\bon hold\b",
    r"\båterfört (?:dragningen|betalningen|pengarna)\b",
    r"\b(?:pausade|pausat|frös|fryst|paused|froze|frozen)\b.{0,15}"
    r"\b(?:fakturan|min faktura|my invoice|the invoice|betalningen|the payment)\b",
    r"\b(?:while they investigate|medan de utreder)\b",
    r"\b(?:has|have|har)(?: already| redan)? (?:reversed|refunded me|återbetalat mig|återfört)\b",
    r"\b(?:banken|klarna|paypal) (?:utreder|hanterar|har (?:redan )?(?:ärendet|fallet|tvisten"
    r"|pausat|stoppat|fryst|återfört|återkallat))\b",
    r"\bhar (?:öppnat|gjort|startat) ett ärende hos (?:banken|klarna|paypal)\b",
)
# The writer refusing to act ("I won't leave a bad review"), not the shop or the bank
# ("if you won't refund me, my card company will"; "Klarna kommer inte att betala").
_REFUSAL = _words(
    r"(?<!think )\b(?:i|we)(?: really| just| certainly)? (?:won'?t|will not|would never"
    r"|don'?t want to)\b(?! hesitate| have\b)",
    r"\b(?:i'?ve|i have) never (?:left|written|given|posted)\b",
    r"\bdon'?t plan to\b",
    r"\baldrig (?:lämnat|skrivit|gett|givit)\b",
    r"\b(?:i'?m|i am|we'?re|we are) not going to\b",
    r"\b(?:i|we) have no intention\b",
    r"\bno intention\b",
    r"\b(?:i'?d|i would|we'?d|we would) rather not\b(?!.*\b(?:but|though|yet)\b)",
    r"\b(?:jag|vi) (?:vill|skulle) helst (?:inte|slippa)\b(?!.*\bmen\b)",
    r"\b(?:jag|vi) (?:kommer|tänker|ska|vill) (?:inte|aldrig)\b",
    r"\b(?:kommer|tänker|ska|vill) (?:jag|vi) (?:inte|aldrig)\b",
    r"\b(?:jag|vi) skulle aldrig\b",
)

# A review promised in praise ("I'll leave you a great review when it arrives"), or once the
# product has been tried ("I'll leave a review once I've used it"), is no threat. The praise
# must qualify the review itself: "not good, expect a review" is a threat.
_PRAISE = _words(
    r"\b(?:great|good|lovely|nice|positive|glowing|fantastic|five[- ]star|5[- ]star)"
    r" (?:review|rating|feedback)",
    r"\b(?:fin|fint|bra|positiv|positivt|härlig|glad)t? (?:recension|omdöme|betyg)",
    r"\b(?:five|5|fem) (?:stars|stjärnor)\b",
    r"\b(?:recommend\w*|tipsa\w*|rekommendera\w*)\b",
    r"\b(?:happily|gladly|happy to|glad to) (?:leave|write|give|post)\b",
    r"\b(?:lämnar|skriver|ger) (?:jag )?gärna\b",
    r"\b(?:once|when|after) i'?(?:ve| have)? (?:used|tried|worn|tested|had)\b",
    r"\b(?:när|efter att) jag (?:har )?(?:använt|testat|provat|haft)\b",
)
# What the shop would give in return, which makes praise a price ("I'd happily bump you up to
# five stars for a free replacement"; not "happy to give five stars if the replacement is good").
_SHOP_GIVES = _words(
    r"\bfree\b",
    r"\bgratis\b",
    r"\bkostnadsfri\w*",
    r"\butan kostnad\b",
    r"\bat no (?:cost|charge)\b",
    r"\brefund\w*",
    r"\båterbetal\w*",
    r"\b(?:discount|voucher|gift card|store credit|compensat\w*)\b",
    r"\b(?:rabatt\w*|presentkort\w*|tillgodo\w*|kompens\w*|ersättning\w*)\b",
    r"\b(?:money|my \w+) back\b",
    r"\bpengarna tillbaka\b",
    r"\b(?:cover|pay for)\b",
    r"\b(?:(?:står|bjuder) (?:ni|du)|(?:ni|du) (?:står|bjuder)) (?:för|på)\b",
)
# A review already changed, reported ("I've updated my review to five stars, thanks!"), which
# offers nothing, unless the writer still promises or asks for something ("... if you ...").
_REPORTED_CHANGE = _words(
    r"\b(?:i'?ve|i have|i)(?: already| just| now)? (?:updated|edited|changed|removed|deleted"
    r"|taken down|took down|raised|revised|bumped)\b",
    r"\b(?:jag )?har (?:redan |nu |just )?(?:uppdaterat|ändrat|redigerat|tagit bort|tagit ner"
    r"|raderat|höjt)\b",
    r"\b(?:uppdaterade|ändrade|redigerade|raderade|höjde|tog bort|tog ner) jag\b",
    r"\bjag (?:uppdaterade|ändrade|redigerade|raderade|höjde|tog bort|tog ner)\b",
)
_STILL_TO_COME = _words(
    r"\b(?:if|once|as soon as|unless|until) you\b",
    r"\b(?:om|så fort|tills) (?:ni|du)\b",
    r"\bi'?ll\b|\bi will\b|\bi'?d\b",
    r"\bkommer jag\b|\bjag kommer\b|\bska jag\b|\bjag ska\b",
)
# The bank named as how the customer pays or what they ask it, not as a way to get money
# back ("I'm ready to pay with PayPal", "I'll check with my bank whether it went through").
_BANK_NEUTRAL = _words(
    r"\b(?:pay|paid|paying|checkout|betala|betalade|betalat|betalar) (?:with|by|via|through|med|"
    r"genom|using)\b",
    r"\b(?:check|ask|kolla|fråga) (?:with|med)?\s?(?:my bank|the bank|banken|min bank|klarna|"
    r"paypal)\b.{0,20}\b(?:whether|if|om)\b",
    r"\b(?:accept|take|tar (?:ni|du)|tar emot|godkänner)\b.{0,20}\b(?:amex|american express|visa"
    r"|mastercard|klarna|paypal)\b",
    r"\b(?:refund|money|återbetalning\w*|pengarna) (?:to|till) (?:my |min |mitt )?(?:paypal|klarna|"
    r"card|kort\w*|bank\w*)",
    r"\b(?:see|check|look)\b.{0,20}\b(?:in|on) (?:my|the) (?:bank(?:ing)? app|online bank\w*)",
    r"\b(?:ser|kollar|syns)\b.{0,20}\b(?:i|på) (?:bankappen|internetbanken|min bankapp)",
)
# ... unless the sentence is about getting the money back through it after all.
_MONEY_BACK = _words(
    r"chargeback|charge back|disput\w*|revers\w*|claw\w*|money back|contest",
    r"\btake (?:it|the money|the payment) back\b",
    r"\bta tillbaka (?:det|pengarna|betalningen)\b",
    _MONEY_BACK_ANYWAY,
    r"bestrid\w*|återkr[äa]v\w*|pengarna tillbaka|återkalla\w*|tvist\w*",
)

# What a sentence model's "already filed" must mention: a claim, a case, the money coming back
# ("My PayPal account says the payment went through twice" reports nothing filed).
_FILED_EVIDENCE = _words(
    _MONEY_BACK,
    r"claim|\bcase\b|ärende\w*|reklam\w*|investigat\w*|utred\w*|paus\w*|froze\w*|fr[öy][sx]t?",
    r"\bcredit(?:ed)?\b(?! card)|krediter\w*|återför\w*",
    r"pulled|\btook\b|\bdrog\b|dragit|tillbaka|\bback\b",
    r"report\w*|anmäl\w*|stopp\w*|stopped|blocked|spärra\w*",
)

REVIEW_RE = re.compile(_REVIEW, re.I)
BANK_RE = re.compile(_BANK, re.I)
THREAT_RE = re.compile(_THREAT_STANCE, re.I)
OFFER_RE = re.compile(_OFFER, re.I)
OFFER_CONDITION_RE = re.compile(_OFFER_CONDITION, re.I)
FILED_RE = re.compile(_FILED, re.I)
REFUSAL_RE = re.compile(_REFUSAL, re.I)
PRAISE_RE = re.compile(_PRAISE, re.I)
SHOP_GIVES_RE = re.compile(_SHOP_GIVES, re.I)
REPORTED_CHANGE_RE = re.compile(_REPORTED_CHANGE, re.I)
STILL_TO_COME_RE = re.compile(_STILL_TO_COME, re.I)
BANK_NEUTRAL_RE = re.compile(_BANK_NEUTRAL, re.I)
MONEY_BACK_RE = re.compile(_MONEY_BACK, re.I)
FILED_EVIDENCE_RE = re.compile(_FILED_EVIDENCE, re.I)
