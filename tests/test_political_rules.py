"""Political endorsement in every language of LABELS.md, and the neutral mentions beside it.

The drafts are written for these tests (none is taken from a labelled set): each kind of side
taken (a vote asked for, backing, a slogan, praise as the choice, an attack, a call to turn
someone out) in several scripts and romanised forms, and the near misses a rule must let pass
(a government school, a civic "go and vote", a photo contest's vote, a lotus at the Lotus
Temple, a team leader's leadership).
"""

from __future__ import annotations

import pytest

SIDE_TAKEN = [
    # a vote asked for, whom to first, romanised
    "Ellarum DMK ku vote podunga!",
    "Sobai TMC ke vote din!",
    "Saglyanni MVA la vote kara, Maharashtra vachva!",
    "Ee sari TDP ki vote veyyandi!",
    "Naa vote kutami ke!",
    "Is baar kamal ka button dabana, phir se Modi sarkar!",
    # a vote asked for, in the scripts
    "ഈ തവണ എൽഡിഎഫിന് വോട്ട് ചെയ്യുക!",
    "কংগ্ৰেছক ভোট দিয়ক, অসম বচাওক!",
    "ବିଜେଡିକୁ ଭୋଟ ଦିଅନ୍ତୁ!",
    "ਕਾਂਗਰਸ ਨੂੰ ਵੋਟ ਪਾਓ!",
    "આ વખતે ભાજપને જ મત આપજો! 🪷",
    "کانگریس کو ووٹ دیں!",
    # turning them out at the polls
    "ಮುಂದಿನ ಚುನಾವಣೆಯಲ್ಲಿ ಈ ಸರ್ಕಾರವನ್ನು ಮನೆಗೆ ಕಳಿಸಿ!",
    "வரும் தேர்தலில் இவர்களுக்கு தக்க பாடம் புகட்டுவோம்.",
    "వచ్చే ఎన్నికల్లో ఈ ప్రభుత్వాన్ని ఇంటికి పంపండి.",
    "2029 में इन्हें घर भेजो, बदलाव ज़रूरी है।",
    "Throw the BJP out in 2029!",
    # backing, slogans, praise as the choice
    "Join us in supporting the Janasena candidate this Sunday!",
    "రేవంత్ రెడ్డి గారికి మా పూర్తి మద్దతు!",
    "डबल इंजन सरकार, भाजपा फिर से!",
    "மீண்டும் திமுக ஆட்சி வேண்டும், திமுக வெல்லட்டும்!",
    "ഇനി കേരളം മുഴുവൻ താമര വിരിയട്ടെ.",
    "Wishing Shashi Tharoor a thumping victory in Thiruvananthapuram!",
    "Rahul Gandhi hi desh ko sahi disha de sakte hain.",
    "केजरीवाल जी को फिर से मुख्यमंत्री बनाइए।",
    "Under his leadership, India is unstoppable! 🇮🇳",
    # attacks
    "इस सरकार को शर्म आनी चाहिए, मंत्री जी इस्तीफ़ा दें।",
    "ଏହି ସରକାର ଦୁର୍ନୀତିଗ୍ରସ୍ତ, ମୁଖ୍ୟମନ୍ତ୍ରୀ ଇସ୍ତଫା ଦିଅନ୍ତୁ।",
    "ബിജെപിയെ തോൽപ്പിക്കുക!",
    "Ee prabhutvam avineethi prabhutvam, sigguledu!",
]

NEUTRAL = [
    "Vote for your favourite photo in the Wiki Loves Earth round!",
    "Kal vote ka din hai, sab log vote zaroor karo!",
    "ପଞ୍ଚାୟତ ନିର୍ବାଚନରେ ଭୋଟ ଦେବା ଆମ ଦାୟିତ୍ୱ। କାଲି ନିଜ ବୁଥକୁ ଯାଇ ଭୋଟ ଦିଅନ୍ତୁ 🗳️",
    "எல்லோரும் வாக்களியுங்கள், ஜனநாயகம் வெல்லட்டும்!",
    "ಮುಖ್ಯಮಂತ್ರಿ ಸಿದ್ದರಾಮಯ್ಯ ಮತ್ತು ಸಚಿವರು ಇಂದು ಗ್ರಂಥಾಲಯ ಉದ್ಘಾಟಿಸಿದರು.",
    "Government school students wrote 200 articles this month. Hats off to the teachers!",
    "সরকারি গ্রন্থাগারের জন্য আমাদের পূর্ণ সমর্থন রইল।",
    "Say no to plastic, says the state government; our volunteers wrote 30 articles on it.",
    "Join us in backing up the Congress session photos to Commons before the server move.",
    "Give Odia Wikisource a chance this weekend: 20 books need proofreading.",
    "Fifty new articles by Sunday? Yes we can! Thanks, Kannada Wikipedians.",
    "Under her leadership, the Odia Wikipedia community grew to 500 editors.",
    "आशा जी के नेतृत्व में हमारी टीम आगे बढ़ रही है।",
    "পদ্মা নদীর উপর বাংলা উইকিপিডিয়ার নতুন নিবন্ধ।",
    "ਪੰਜਾਬੀ ਵਿਕੀਪੀਡੀਆ 'ਤੇ ਨਵੇਂ ਲੇਖ, ਪੰਜਾਬ ਸਰਕਾਰ ਦੇ ਸਹਿਯੋਗ ਨਾਲ।",
    "Bhot din baad sab Wikipedians mile, maza aa gaya!",
    "Thanks to MP Shashi Tharoor for the shout-out; our volunteers were thrilled! 👏👏",
    "Thanks to the Library of Congress for the scans of Bengali manuscripts.",
    "1967-ல் அண்ணாதுரை தலைமையில் திமுக ஆட்சிக்கு வந்தது; அவரைப் பற்றிய கட்டுரையில் 22 மேற்கோள்கள் சேர்ந்தன.",
]


@pytest.mark.parametrize("text", SIDE_TAKEN)
def test_a_side_taken_in_party_politics_is_political_endorsement(labels, text):
    assert "political-endorsement" in labels(text)


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_mentions_of_votes_governments_and_parties_are_not(labels, text):
    assert "political-endorsement" not in labels(text)


PERSONAL_WITH_CIS_A2K = [
    "After the CIS-A2K workshop: Modi must go in 2029!",
    "CIS-A2K Kannada edit-a-thon done. Now everyone, Siddaramaiah avrige vote haaki!",
    "CIS-A2K के काम के बीच एक बात: राहुल गांधी ही असली नेता हैं।",
    "CIS-A2K তে কাজ করি, আর বলছি: দিদিকে ভোট দিন!",
]
PERSONAL_FINE = [
    "Modi must go in 2029! My own view, of course.",
    "Photowalk at the Lotus Temple 🪷 this Sunday for Wiki Loves Monuments Delhi! Posted from the CIS-A2K workshop.",
    "CIS-A2K ने सरकारी स्कूलों में विकिपीडिया क्लब शुरू किए, हमारा पूरा समर्थन शिक्षकों के साथ है।",
    "Went to vote this morning, then to the CIS-A2K Telugu edit-a-thon. Whoever you support, please go vote!",
]


@pytest.mark.parametrize("text", PERSONAL_WITH_CIS_A2K)
def test_a_personal_political_opinion_beside_cis_a2k_is_flagged(labels, text):
    assert "political-endorsement" in labels(text, account="personal")


@pytest.mark.parametrize("text", PERSONAL_FINE)
def test_personal_posts_without_politics_beside_cis_a2k_are_fine(labels, text):
    assert "political-endorsement" not in labels(text, account="personal")
