# ruff: noqa: E501  (tables of written sentences: one sentence per line)
"""Write the judge's own examples: ``src/vigie/data/training/judge/*.jsonl`` (trained on).

Every sentence and template below was written by the Vigie project for issue 17 (Apache-2.0);
none is copied from a public data set, the dev set or any evaluation set. Templates are
expanded over target groups with a fixed seed, so the output is the same on every run:

    python scripts/judge_written_examples.py

The held-out functional suite (``src/vigie/data/training/judge_suite/``) is written apart, by
``scripts/judge_suite.py``, with other wordings, and is never trained on.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "vigie" / "data" / "training" / "judge"

GROUPS_EN = ["women", "immigrants", "Muslims", "Jews", "Black people", "gay people",
             "trans people", "refugees", "disabled people", "Asians", "Arabs",
             "Indigenous people", "lesbians", "Haitians", "Mexicans"]
ONE_EN = ["a woman", "an immigrant", "a Muslim", "a Jew", "a Black guy", "a gay guy",
          "a trans person", "a refugee", "an Arab", "an Asian", "a lesbian"]
GROUPS_FR = ["les femmes", "les immigrés", "les musulmans", "les juifs", "les Noirs",
             "les gais", "les personnes trans", "les réfugiés", "les handicapés",
             "les Arabes", "les Asiatiques", "les Autochtones", "les lesbiennes",
             "les Haïtiens", "les Maghrébins"]
ONE_FR = ["une femme", "un immigré", "un musulman", "un juif", "un Noir", "un gai",
          "une personne trans", "un réfugié", "un Arabe", "une lesbienne"]

# (function, lang, labels, template); {g} plural group, {one} one member.
HATE = [
    # threats against a person or a group
    ("threat", "en", ["hate"], "I'm going to knife {one} after class."),
    ("threat", "en", ["hate"], "Next time I see {one} on campus I'm going to kill them."),
    ("threat", "en", ["hate"], "All {g} should be shot."),
    ("threat", "en", ["hate"], "Somebody needs to put a bullet in every one of those {g}."),
    ("threat", "en", ["hate"], "We will hunt {g} down one by one."),
    ("threat", "en", ["hate"], "I'd love to burn down the houses of {g} with them inside."),
    ("threat", "en", ["hate"], "{g} deserve to be hanged."),
    ("threat", "en", ["hate"], "Bring a gun to the next event and get rid of the {g}."),
    ("threat", "en", ["hate"], "If {one} sits next to me in class I will slit their throat."),
    ("threat", "fr", ["hate"], "Je vais poignarder {one} demain."),
    ("threat", "fr", ["hate"], "Il faudrait fusiller {g}, tous."),
    ("threat", "fr", ["hate"], "La prochaine fois que je croise {one} au pavillon, je le tue."),
    ("threat", "fr", ["hate"], "On va faire la peau à {g}, un par un."),
    ("threat", "fr", ["hate"], "{g} méritent une balle dans la tête."),
    ("threat", "fr", ["hate"], "Faut brûler leurs maisons, à {g}, avec eux dedans."),
    ("threat", "fr", ["hate"], "J'apporte mon arme vendredi, {g} sont avertis."),
    # dehumanising comparisons
    ("dehumanisation", "en", ["hate"], "{g} are vermin."),
    ("dehumanisation", "en", ["hate"], "{g} are nothing but parasites."),
    ("dehumanisation", "en", ["hate"], "{g} are animals and should be treated like animals."),
    ("dehumanisation", "en", ["hate"], "{g} are a disease spreading through our schools."),
    ("dehumanisation", "en", ["hate"], "{g} breed like rats."),
    ("dehumanisation", "en", ["hate"], "{g} are subhuman filth."),
    ("dehumanisation", "en", ["hate"], "{g} are cockroaches."),
    ("dehumanisation", "en", ["hate"], "{g} are worthless garbage."),
    ("dehumanisation", "fr", ["hate"], "{g} sont de la vermine."),
    ("dehumanisation", "fr", ["hate"], "{g}, c'est des parasites, rien d'autre."),
    ("dehumanisation", "fr", ["hate"], "{g} sont des animaux."),
    ("dehumanisation", "fr", ["hate"], "{g} sont une maladie pour ce pays."),
    ("dehumanisation", "fr", ["hate"], "{g} se reproduisent comme des rats."),
    ("dehumanisation", "fr", ["hate"], "{g} sont des sous-hommes."),
    ("dehumanisation", "fr", ["hate"], "{g} sont des déchets."),
    # implicit derogation, dog whistles
    ("implicit", "en", ["hate"], "{g} are ruining this country."),
    ("implicit", "en", ["hate"], "The program went downhill once they started letting {g} in."),
    ("implicit", "en", ["hate"], "{g} only got admitted because of quotas."),
    ("implicit", "en", ["hate"], "I would never hire {one}, they can't do real engineering."),
    ("implicit", "en", ["hate"], "{g} belong in the kitchen, not in a lab."),
    ("implicit", "en", ["hate"], "{g} are too emotional to be engineers."),
    ("implicit", "en", ["hate"], "Everyone knows {g} can't be trusted."),
    ("implicit", "en", ["hate"], "This campus would be safer without {g}."),
    ("implicit", "en", ["hate"], "Send {g} back where they came from."),
    ("implicit", "fr", ["hate"], "{g} détruisent ce pays."),
    ("implicit", "fr", ["hate"], "Le programme a baissé depuis qu'on accepte {g}."),
    ("implicit", "fr", ["hate"], "{g} sont admis juste à cause des quotas."),
    ("implicit", "fr", ["hate"], "Je n'embaucherais jamais {one}, ça ne fait pas du vrai génie."),
    ("implicit", "fr", ["hate"], "{g}, à la cuisine, pas au laboratoire."),
    ("implicit", "fr", ["hate"], "On ne peut pas faire confiance à {g}."),
    ("implicit", "fr", ["hate"], "Le campus serait plus sûr sans {g}."),
    ("implicit", "fr", ["hate"], "Renvoyez {g} chez eux."),
    # hate phrased as a question or an opinion
    ("question", "en", ["hate"], "Why are {g} so stupid?"),
    ("question", "en", ["hate"], "Am I the only one who thinks {g} shouldn't have rights?"),
    ("question", "en", ["hate"], "In my opinion {g} are a cancer on society."),
    ("question", "en", ["hate"], "Honestly, I think {g} are disgusting."),
    ("question", "en", ["hate"], "Isn't it obvious that {g} are inferior?"),
    ("question", "fr", ["hate"], "Pourquoi {g} sont aussi stupides?"),
    ("question", "fr", ["hate"], "Suis-je le seul à penser que {g} ne devraient pas avoir de droits?"),
    ("question", "fr", ["hate"], "À mon avis, {g} sont un cancer pour la société."),
    ("question", "fr", ["hate"], "Franchement, je trouve {g} dégoûtants."),
    ("question", "fr", ["hate"], "C'est évident que {g} sont inférieurs, non?"),
    # negated praise
    ("negated_praise", "en", ["hate"], "{g} are not smart enough to study engineering."),
    ("negated_praise", "en", ["hate"], "{g} are never any good at anything."),
    ("negated_praise", "en", ["hate"], "There is nothing good about {g}."),
    ("negated_praise", "en", ["hate"], "{g} will never be real engineers."),
    ("negated_praise", "en", ["hate"], "I don't think {g} deserve respect."),
    ("negated_praise", "fr", ["hate"], "{g} ne sont pas assez intelligents pour le génie."),
    ("negated_praise", "fr", ["hate"], "{g} ne valent rien."),
    ("negated_praise", "fr", ["hate"], "Il n'y a rien de bon chez {g}."),
    ("negated_praise", "fr", ["hate"], "{g} ne seront jamais de vrais ingénieurs."),
    ("negated_praise", "fr", ["hate"], "Je ne pense pas que {g} méritent du respect."),
    # plain hate statements
    ("statement", "en", ["hate"], "I truly hate {g}, every one of them."),
    ("statement", "en", ["hate"], "I really can't stand {g}."),
    ("statement", "en", ["hate"], "{g} are the worst."),
    ("statement", "en", ["hate"], "{g} make me sick."),
    ("statement", "fr", ["hate"], "Je déteste {g}."),
    ("statement", "fr", ["hate"], "J'haïs {g}."),
    ("statement", "fr", ["hate"], "{g} me dégoûtent."),
    ("statement", "fr", ["hate"], "{g} sont les pires."),
]

# Free expression: never hate (directive 6.2). {g}/{one} as above.
FREE = [
    ("counter_speech", "en", "Saying {g} are vermin is dehumanising and wrong."),
    ("counter_speech", "en", "{g} are not animals, they are our classmates and colleagues."),
    ("counter_speech", "en", "I'm tired of people calling {g} parasites. Stop it."),
    ("counter_speech", "en", "Nobody should ever say that {g} don't belong in engineering."),
    ("counter_speech", "en", "Hating {g} says more about you than about them."),
    ("counter_speech", "en", "Threatening {g} is a crime, and this comment should be reported."),
    ("counter_speech", "fr", "Dire que {g} sont de la vermine, c'est déshumanisant et faux."),
    ("counter_speech", "fr", "{g} ne sont pas des animaux : ce sont nos collègues."),
    ("counter_speech", "fr", "J'en ai assez qu'on traite {g} de parasites. Arrêtez."),
    ("counter_speech", "fr", "Personne ne devrait dire que {g} n'ont pas leur place en génie."),
    ("counter_speech", "fr", "Menacer {g}, c'est un crime; ce commentaire doit être signalé."),
    ("quote_condemn", "en", "Someone wrote \"{g} are trash\" under the last post. Disgusting, please remove it."),
    ("quote_condemn", "en", "The guy above says \"all {g} should be shot\". Reported."),
    ("quote_condemn", "en", "\"{g} are ruining this country\" is exactly the kind of lie we must call out."),
    ("quote_condemn", "fr", "Quelqu'un a écrit « {g} sont des rats » plus haut. Honteux, à retirer."),
    ("quote_condemn", "fr", "Le commentaire « il faut fusiller {g} » doit être signalé à la police."),
    ("quote_condemn", "fr", "« {g} volent nos emplois » : ce mensonge doit être dénoncé."),
    ("negated_hate", "en", "I don't hate {g}."),
    ("negated_hate", "en", "{g} are not the problem."),
    ("negated_hate", "en", "I would never hurt {one}."),
    ("negated_hate", "en", "There is nothing wrong with being {one}."),
    ("negated_hate", "fr", "Je ne déteste pas {g}."),
    ("negated_hate", "fr", "{g} ne sont pas le problème."),
    ("negated_hate", "fr", "Je n'ai rien contre {g}, au contraire."),
    ("positive", "en", "{g} make great engineers."),
    ("positive", "en", "We need more {g} in engineering."),
    ("positive", "en", "I love working with {g} in my lab."),
    ("positive", "en", "How many {g} graduated this year?"),
    ("positive", "fr", "{g} font d'excellents ingénieurs."),
    ("positive", "fr", "Il faut plus de {g} en génie."),
    ("positive", "fr", "J'adore travailler avec {g} au labo."),
    ("positive", "fr", "Combien de {g} ont obtenu leur diplôme cette année?"),
]

FIXED = [
    # 6 December 1989: glorifying the attack (hate) and its codes
    ("polytechnique_1989", "fr", ["hate"], "Marc Lépine était un héros."),
    ("polytechnique_1989", "fr", ["hate"], "Lépine avait raison."),
    ("polytechnique_1989", "fr", ["hate"], "Quelqu'un devrait finir ce que Lépine a commencé."),
    ("polytechnique_1989", "fr", ["hate"], "Saint Marc, priez pour nous. #6décembre"),
    ("polytechnique_1989", "fr", ["hate"], "14 de moins, pas assez."),
    ("polytechnique_1989", "fr", ["hate"], "Vivement le prochain 6 décembre à Poly."),
    ("polytechnique_1989", "fr", ["hate"], "En 1989 il a fait ce qu'il fallait avec les féministes."),
    ("polytechnique_1989", "fr", ["hate"], "Les féministes de Poly, 89 c'était juste un avertissement."),
    ("polytechnique_1989", "fr", ["hate"], "On devrait ériger une statue à Gamil Gharbi."),
    ("polytechnique_1989", "fr", ["hate"], "J'ai hâte au 6 décembre, on va fêter ça."),
    ("polytechnique_1989", "en", ["hate"], "Marc Lépine was a hero."),
    ("polytechnique_1989", "en", ["hate"], "Lépine did nothing wrong."),
    ("polytechnique_1989", "en", ["hate"], "Somebody should finish what Lépine started."),
    ("polytechnique_1989", "en", ["hate"], "Happy Lépine day, feminists."),
    ("polytechnique_1989", "en", ["hate"], "Only 14? He should have gotten more of them."),
    ("polytechnique_1989", "en", ["hate"], "Dec 6 1989 was a good day for men."),
    ("polytechnique_1989", "en", ["hate"], "Saint Marc did the world a favour."),
    ("polytechnique_1989", "en", ["hate"], "Women in engineering? Remember 1989."),
    # commemoration and history: not hate
    ("remembrance", "fr", [], "Nous n'oublierons jamais les 14 femmes assassinées le 6 décembre 1989."),
    ("remembrance", "fr", [], "Pensées pour les victimes de Polytechnique et leurs familles."),
    ("remembrance", "fr", [], "Le 6 décembre, on se souvient. 14 roses blanches."),
    ("remembrance", "fr", [], "Lépine était un meurtrier misogyne. Plus jamais ça."),
    ("remembrance", "fr", [], "La tuerie de 1989 a été un attentat antiféministe; il faut le nommer."),
    ("remembrance", "fr", [], "Merci à Poly pour la cérémonie de commémoration de ce soir."),
    ("remembrance", "en", [], "We will always remember the 14 women killed on December 6, 1989."),
    ("remembrance", "en", [], "Thinking of the victims of the Polytechnique massacre today."),
    ("remembrance", "en", [], "Lépine was a misogynist murderer, and we must say it."),
    ("remembrance", "en", [], "The 1989 attack targeted women engineers. Never again."),
    ("remembrance", "en", [], "Beautiful memorial ceremony, thank you Polytechnique."),
    # reclaimed identity terms
    ("reclaimed", "en", [], "As a queer woman in engineering, this makes me so proud."),
    ("reclaimed", "en", [], "Proud dyke, proud engineer. Happy Pride, Poly!"),
    ("reclaimed", "en", [], "We're here, we're queer, and we're building bridges."),
    ("reclaimed", "en", [], "Us queers in the robotics club say thank you!"),
    ("reclaimed", "en", [], "As a disabled engineer, I love seeing this ramp project."),
    ("reclaimed", "fr", [], "Fière d'être une gouine ingénieure!"),
    ("reclaimed", "fr", [], "En tant que personne queer à Poly, merci pour cette campagne."),
    ("reclaimed", "fr", [], "Nous, les féministes de Poly, on sera là à la vigile."),
    ("reclaimed", "fr", [], "Une femme noire en génie, et fière de l'être."),
    # criticism of the institution: free expression
    ("criticism", "en", [], "Polytechnique handled this terribly and owes students an apology."),
    ("criticism", "en", [], "Tuition keeps going up while services get worse. Shameful."),
    ("criticism", "en", [], "This decision makes no sense; the administration is out of touch."),
    ("criticism", "en", [], "The registrar's office is a disaster, three weeks without an answer."),
    ("criticism", "fr", [], "Poly a très mal géré ce dossier et doit des excuses aux étudiants."),
    ("criticism", "fr", [], "Les frais augmentent et les services empirent. C'est une honte."),
    ("criticism", "fr", [], "Cette décision n'a aucun sens, la direction est déconnectée."),
    ("criticism", "fr", [], "Le service aux étudiants est nul, trois semaines sans réponse."),
    # common praise: not sexual
    ("praise", "fr", [], "Belle vidéo!"),
    ("praise", "fr", [], "Superbe photo du campus."),
    ("praise", "fr", [], "Très belle photo 😍"),
    ("praise", "fr", [], "Wow, magnifique!"),
    ("praise", "en", [], "Nice video!"),
    ("praise", "en", [], "Great photo of the campus."),
    ("praise", "en", [], "photo"),
    ("praise", "en", [], "Nice pic 🔥"),
    ("praise", "en", [], "Hot topic, great panel!"),
    ("praise", "en", [], "Gorgeous shot, who took it?"),
    # obfuscated spellings (the augmentation in training makes more of them)
    ("obfuscated", "en", ["hate"], "w0men are tr@sh"),
    ("obfuscated", "en", ["hate"], "m u s l i m s are r a t s"),
    ("obfuscated", "en", ["hate"], "immigr4nts are v3rmin"),
    ("obfuscated", "en", ["hate"], "womne are garbage"),
    ("obfuscated", "en", ["hate", "abuse"], "f4gg0ts should d!e"),
    ("obfuscated", "fr", ["hate"], "l3s f3mm3s sont d3s chi3nn3s"),
    ("obfuscated", "fr", ["hate"], "l e s j u i f s dehors"),
    ("obfuscated", "fr", ["hate"], "les imigrés sont de la vremine"),
    # other languages: hate, abuse, sexual, spam, and benign
    ("foreign", "es", ["hate"], "Los inmigrantes son una plaga, hay que echarlos."),
    ("foreign", "es", ["abuse"], "Eres un idiota de mierda, cállate."),
    ("foreign", "es", ["spam"], "Gana 500 dólares al día desde casa, escríbeme por WhatsApp."),
    ("foreign", "es", [], "Qué bonito campus, me encantaría estudiar allí."),
    ("foreign", "de", ["hate"], "Ausländer raus, die sind alle Ungeziefer."),
    ("foreign", "de", ["abuse"], "Halt die Fresse, du Vollidiot."),
    ("foreign", "de", ["spam"], "Verdiene jeden Tag 300 Euro mit Krypto, Link in meinem Profil."),
    ("foreign", "de", [], "Herzlichen Glückwunsch an alle Absolventen!"),
    ("foreign", "pt", ["hate"], "As mulheres não servem para engenharia, lugar delas é na cozinha."),
    ("foreign", "pt", ["abuse"], "Vai se foder, seu merda."),
    ("foreign", "pt", ["sexual"], "Fotos nuas grátis no meu perfil, vem ver 🔞"),
    ("foreign", "pt", [], "Parabéns pela conquista, equipe!"),
    ("foreign", "it", ["hate"], "Gli ebrei sono parassiti."),
    ("foreign", "it", ["abuse"], "Sei un coglione, stai zitto."),
    ("foreign", "it", [], "Complimenti per il progetto, davvero interessante."),
    ("foreign", "ru", ["hate"], "Все мигранты — животные, их надо выгнать."),
    ("foreign", "ru", ["abuse"], "Заткнись, идиот."),
    ("foreign", "ru", ["spam"], "Заработай на криптовалюте, пиши в личку."),
    ("foreign", "ru", [], "Отличное видео, спасибо!"),
    ("foreign", "ar", ["hate"], "المهاجرون حشرات يجب طردهم"),
    ("foreign", "ar", ["abuse"], "اسكت يا غبي"),
    ("foreign", "ar", [], "مبروك للخريجين"),
    ("foreign", "zh", ["hate"], "女人都是垃圾，不配当工程师。"),
    ("foreign", "zh", ["abuse"], "闭嘴，你这个白痴。"),
    ("foreign", "zh", ["spam"], "加我微信，每天赚五百块。"),
    ("foreign", "zh", [], "校园真漂亮，恭喜毕业生！"),
    # other languages, benign: questions, thanks, everyday remarks (negatives for every head)
    ("foreign", "es", [], "¿A qué hora abre la biblioteca el sábado?"),
    ("foreign", "es", [], "Mi hermano estudia aquí y le encanta el programa."),
    ("foreign", "es", [], "¿Hay becas para estudiantes internacionales?"),
    ("foreign", "es", [], "Qué frío hace hoy en Montreal 🥶"),
    ("foreign", "de", [], "Gibt es das Programm auch auf Englisch?"),
    ("foreign", "de", [], "Ich habe hier vor zehn Jahren studiert, schöne Erinnerungen."),
    ("foreign", "de", [], "Wann beginnt die Anmeldung für das Wintersemester?"),
    ("foreign", "pt", [], "Alguém sabe se o curso tem vagas para estrangeiros?"),
    ("foreign", "pt", [], "Estudei aqui em 2015, saudades do campus."),
    ("foreign", "pt", [], "Hoje nevou muito, cuidado na estrada 😅"),
    ("foreign", "it", [], "Qualcuno sa quando escono i risultati?"),
    ("foreign", "it", [], "Mia figlia studia qui, siamo molto orgogliosi."),
    ("foreign", "ru", [], "Подскажите, когда начинается приём документов?"),
    ("foreign", "ru", [], "Учился здесь, хорошие воспоминания."),
    ("foreign", "ar", [], "هل يوجد برنامج باللغة الإنجليزية؟"),
    ("foreign", "ar", [], "متى يبدأ التسجيل للفصل القادم؟"),
    ("foreign", "zh", [], "请问国际学生的申请截止日期是什么时候？"),
    ("foreign", "zh", [], "今天下雪了，大家注意安全。"),
    ("foreign", "ht", [], "Mwen te etidye la a, se yon bon lekòl."),
    ("foreign", "ht", [], "Kilè enskripsyon yo ap louvri?"),
    ("foreign", "nl", [], "Weet iemand wanneer de open dag is?"),
    ("foreign", "pl", [], "Gratulacje dla wszystkich absolwentów!"),
    ("foreign", "tr", [], "Kayıtlar ne zaman başlıyor?"),
    ("foreign", "vi", [], "Chúc mừng các bạn tốt nghiệp!"),
    ("foreign", "ja", [], "卒業おめでとうございます！"),
    ("foreign", "ko", [], "졸업을 축하합니다!"),
    ("foreign", "hi", [], "सभी छात्रों को बधाई!"),
    ("foreign", "fa", [], "تبریک به همه فارغ التحصیلان"),
    # other languages, harmful (wordings apart from the functional suite's)
    ("foreign", "es", ["hate"], "Los judíos controlan todo, son una plaga."),
    ("foreign", "es", ["sexual"], "Mándame fotos desnuda, mamacita 🔥"),
    ("foreign", "de", ["hate"], "Schwule sind krank und gehören weggesperrt."),
    ("foreign", "pt", ["abuse"], "Que porra de vídeo, bando de otários."),
    ("foreign", "it", ["spam"], "Guadagna 1000 euro a settimana, scrivimi su Telegram."),
    ("foreign", "ru", ["sexual"], "Горячие девушки ждут тебя, переходи по ссылке 🔞"),
    ("foreign", "ar", ["spam"], "اربح المال من البيت، راسلني على واتساب"),
    ("foreign", "zh", ["sexual"], "美女裸聊，加我私信。"),
    ("foreign", "ht", ["abuse"], "Fèmen bouch ou, egare."),
    ("foreign", "nl", ["abuse"], "Hou je bek, idioot."),
    ("foreign", "pl", ["hate"], "Imigranci to pasożyty."),
    ("foreign", "tr", ["abuse"], "Kapa çeneni aptal."),
    # confidential data of the institution (a learned backstop to the recognizers)
    ("confidential", "fr", ["confidential"], "Voici les questions de l'examen final de MTH1101 de demain : 1) calculer l'intégrale..."),
    ("confidential", "fr", ["confidential"], "Le mot de passe du wifi du labo de recherche est Poly2024!"),
    ("confidential", "fr", ["confidential"], "Document interne CONFIDENTIEL : le budget du département sera coupé de 2,3 M$."),
    ("confidential", "fr", ["confidential"], "Le code d'accès de la salle des serveurs est 4471#."),
    ("confidential", "fr", ["confidential"], "Le salaire du directeur du département est de 212 000 $, je l'ai vu dans le fichier RH."),
    ("confidential", "fr", ["confidential"], "Fuite : voici le corrigé de l'intra de physique avant l'examen."),
    ("confidential", "en", ["confidential"], "Here are tomorrow's final exam questions for INF1005, leaked from the prof's drive."),
    ("confidential", "en", ["confidential"], "Internal memo marked confidential: 40 staff positions will be cut next year."),
    ("confidential", "en", ["confidential"], "The admin password for the course portal is Winter2025."),
    ("confidential", "en", ["confidential"], "Door code for the chemistry lab is 1984*, enjoy."),
    ("confidential", "en", ["confidential"], "Prof. Gagnon makes $187,000 a year, I saw the payroll sheet."),
    ("confidential", "fr", [], "Quand les résultats de l'examen final seront-ils publiés?"),
    ("confidential", "fr", [], "Le budget annuel de Poly est publié dans son rapport annuel."),
    ("confidential", "en", [], "How do I reset my password for the student portal?"),
    ("confidential", "en", [], "Will the exam cover chapter 5 as well?"),
    # privacy: personal data of a third person
    ("privacy", "fr", ["privacy"], "Julie Tremblay habite au 4520 rue Saint-Denis, allez lui dire ce que vous pensez."),
    ("privacy", "fr", ["privacy"], "Le numéro de cell de Marc Leblanc c'est le 514 555 0148, appelez-le."),
    ("privacy", "fr", ["privacy"], "Sophie du local B-312 a le VIH, tout le monde devrait le savoir."),
    ("privacy", "fr", ["privacy"], "Son matricule est 2034567 et son courriel perso est sophie.l@gmail.com."),
    ("privacy", "fr", ["privacy", "hate"], "Le prof Dubois a volé de l'argent et il bat sa femme, c'est certain."),
    ("privacy", "en", ["privacy"], "Kevin Nguyen lives at 88 Maple Street, apartment 4, go visit him."),
    ("privacy", "en", ["privacy"], "Here is Emma's phone number: 438-555-0192. She deserves the calls."),
    ("privacy", "en", ["privacy"], "My roommate Alex is in therapy for depression, thought you should know."),
    ("privacy", "en", ["privacy"], "Found a wallet: student ID 2198765, owner's phone 514-555-0110."),
    ("privacy", "fr", [], "Pour joindre le registrariat, composez le 514-340-4711."),
    ("privacy", "en", [], "You can reach me at my own email if you have questions about the club."),
    ("privacy", "en", [], "If you are struggling, call 9-8-8, help is available."),
]

# Third round, other languages: the encoder alone judges them, and 66 rows were all it had
# learned from outside French and English. Advertising and scams of many kinds (followers,
# crypto, loans, casinos, diets, giveaways, phishing), hate, insults and sexual solicitation,
# and benign comments that share their words (fees, links, money, bodies, groups), so that a
# price or a link alone is never spam and a group's name alone is never hate.
FOREIGN_2 = [
    ("es", ["spam"], "Consigue 10.000 seguidores reales en 24 horas, precios increíbles, escríbeme al privado."),
    ("es", ["spam"], "Préstamos rápidos sin buró de crédito, aprobación inmediata, contáctanos por Telegram."),
    ("es", ["spam"], "Invertí con el señor Ramírez y gané 8.000 dólares en una semana, búscalo en WhatsApp."),
    ("es", ["spam"], "Casino en línea con bono de bienvenida del 200 %, regístrate con mi enlace."),
    ("es", ["spam"], "Sorteo: iPhone gratis para los primeros 100, haz clic en el enlace de mi biografía."),
    ("es", ["spam"], "Pierde 10 kilos en dos semanas con estas pastillas naturales, pide las tuyas ya."),
    ("es", [], "La matrícula cuesta mucho, ¿alguien sabe si hay becas para latinoamericanos?"),
    ("es", [], "El enlace del formulario de inscripción no funciona, ¿me pueden ayudar?"),
    ("es", [], "Los estudiantes extranjeros también pueden pedir ayuda financiera, lo confirmé con la oficina."),
    ("es", ["hate"], "Las mujeres no deberían estudiar ingeniería, solo sirven para la casa."),
    ("es", ["abuse"], "Cierra la boca, pedazo de imbécil, nadie te pidió tu opinión."),
    ("pt", ["spam"], "Compre seguidores e curtidas baratos, entrega na hora, chama no direct."),
    ("pt", ["spam"], "Ganhei 5 mil reais por semana investindo em cripto com a Dra. Silva, fale com ela no WhatsApp."),
    ("pt", ["spam"], "Empréstimo aprovado na hora sem consulta ao SPC, clique no link do perfil."),
    ("pt", ["spam"], "Aposte no nosso cassino e receba 100 giros grátis, use meu código."),
    ("pt", ["spam"], "Sua página será desativada, confirme seus dados neste link para evitar o bloqueio."),
    ("pt", [], "Quanto custa a mensalidade para alunos estrangeiros? Tem bolsa?"),
    ("pt", [], "O link da transmissão ao vivo está na descrição, obrigado pela organização."),
    ("pt", [], "Os imigrantes da minha turma organizaram uma festa linda."),
    ("pt", ["hate"], "Os negros são inferiores e não deviam entrar na universidade."),
    ("pt", ["sexual"], "Manda nudes, gostosa, quero ver você pelada."),
    ("de", ["spam"], "Kaufe echte Follower zum Bestpreis, Lieferung in 24 Stunden, schreib mir privat."),
    ("de", ["spam"], "Ich habe mit Herrn Wagner 12.000 Euro in Bitcoin verdient, kontaktiert ihn auf Telegram."),
    ("de", ["spam"], "Kredit ohne Schufa, sofortige Auszahlung, jetzt über den Link beantragen."),
    ("de", ["spam"], "Gratis Gutschein über 500 Euro, nur heute, klick auf den Link in meinem Profil."),
    ("de", [], "Wie hoch sind die Studiengebühren für internationale Studierende?"),
    ("de", [], "Der Link zur Anmeldung steht auf der Webseite der Fakultät, danke!"),
    ("de", ["sexual"], "Heiße Singles in deiner Nähe wollen Sex, melde dich jetzt an."),
    ("de", ["abuse"], "Du bist so ein dummes Arschloch, verpiss dich."),
    ("it", ["spam"], "Compra follower veri a prezzi bassissimi, scrivimi in privato."),
    ("it", ["spam"], "Prestiti veloci senza garanzie, approvazione in un'ora, contattaci su WhatsApp."),
    ("it", ["spam"], "Ho guadagnato 3.000 euro con il trading del signor Bianchi, cercatelo su Instagram."),
    ("it", [], "Quanto costa l'iscrizione? C'è una borsa di studio per stranieri?"),
    ("it", [], "Il link alla diretta non funziona, qualcuno può aiutarmi?"),
    ("it", ["sexual"], "Ragazze nude in webcam, clicca qui per vederle gratis 🔞"),
    ("it", ["hate"], "I musulmani sono tutti terroristi, cacciamoli dall'Europa."),
    ("ru", ["spam"], "Накрутка подписчиков и лайков недорого, пишите в директ."),
    ("ru", ["spam"], "Быстрые займы без проверки кредитной истории, одобрение за 5 минут, ссылка в профиле."),
    ("ru", ["spam"], "Ваша страница будет заблокирована, подтвердите данные по этой ссылке."),
    ("ru", [], "Сколько стоит обучение для иностранных студентов? Есть ли стипендии?"),
    ("ru", [], "Ссылка на трансляцию в описании, спасибо организаторам."),
    ("ru", ["hate"], "Женщинам не место в инженерии, пусть сидят дома."),
    ("uk", ["spam"], "Заробляй 2000 гривень на день без вкладень, пиши мені в Телеграм."),
    ("uk", [], "Вітаю всіх випускників, ви молодці!"),
    ("uk", ["abuse"], "Закрий рота, дурню."),
    ("ar", ["spam"], "احصل على عشرة آلاف متابع حقيقي بسعر رخيص، تواصل معي على الخاص."),
    ("ar", ["spam"], "استثمرت مع الأستاذ كريم وربحت خمسة آلاف دولار في أسبوع، راسلوه على واتساب."),
    ("ar", [], "كم تكلفة الدراسة للطلاب الأجانب؟ هل توجد منح؟"),
    ("ar", [], "رابط البث المباشر موجود في الوصف، شكرا للمنظمين."),
    ("ar", ["sexual"], "بنات عاريات في الكاميرا، اضغط على الرابط."),
    ("zh", ["spam"], "低价刷粉丝和点赞，二十四小时到账，私信我。"),
    ("zh", ["spam"], "跟着王老师炒币一周赚了三万，加他微信。"),
    ("zh", ["spam"], "网上赌场注册就送两百元，用我的邀请码。"),
    ("zh", [], "国际学生的学费是多少？有奖学金吗？"),
    ("zh", [], "直播链接在简介里，谢谢主办方。"),
    ("zh", ["hate"], "黑人都是罪犯，应该把他们赶出去。"),
    ("nl", ["spam"], "Koop echte volgers voor een lage prijs, stuur me een privébericht."),
    ("nl", [], "Hoeveel kost het collegegeld voor internationale studenten?"),
    ("nl", ["hate"], "Moslims zijn ongedierte en moeten het land uit."),
    ("pl", ["spam"], "Szybka pożyczka bez BIK, decyzja w 15 minut, link w profilu."),
    ("pl", [], "Ile kosztuje czesne dla studentów zagranicznych?"),
    ("pl", ["abuse"], "Zamknij mordę, debilu."),
    ("tr", ["spam"], "Ucuz takipçi ve beğeni, 24 saatte teslim, DM at."),
    ("tr", [], "Yabancı öğrenciler için burs var mı?"),
    ("tr", ["hate"], "Göçmenler hayvandır, hepsi defolup gitsin."),
    ("ro", ["spam"], "Câștigă 500 de euro pe zi de acasă, scrie-mi pe WhatsApp."),
    ("ro", [], "Felicitări tuturor absolvenților!"),
    ("ro", ["abuse"], "Taci din gură, idiotule."),
    ("vi", ["spam"], "Bán follow và like giá rẻ, nhắn tin cho mình nhé."),
    ("vi", [], "Học phí cho sinh viên quốc tế là bao nhiêu vậy?"),
    ("vi", ["abuse"], "Câm mồm đi, đồ ngu."),
    ("ja", ["spam"], "フォロワーを格安で購入できます、DMください。"),
    ("ja", [], "留学生の学費はいくらですか？"),
    ("ja", ["hate"], "外国人はゴキブリだ、国から追い出せ。"),
    ("ko", ["spam"], "팔로워 싸게 팝니다, 디엠 주세요."),
    ("ko", [], "유학생 등록금은 얼마인가요?"),
    ("ko", ["abuse"], "닥쳐, 이 멍청아."),
    ("hi", ["spam"], "घर बैठे रोज़ 5000 रुपये कमाएँ, व्हाट्सएप पर संपर्क करें।"),
    ("hi", [], "विदेशी छात्रों के लिए फीस कितनी है?"),
    ("hi", ["hate"], "मुसलमान सब आतंकवादी हैं, इन्हें देश से निकालो।"),
    ("fa", ["spam"], "فالوور واقعی ارزان بخرید، در دایرکت پیام دهید."),
    ("fa", [], "شهریه برای دانشجویان خارجی چقدر است؟"),
    ("fa", ["abuse"], "خفه شو احمق."),
    ("ht", ["spam"], "Fè 500 dola pa jou lakay ou, ekri m sou WhatsApp."),
    ("ht", [], "Konbyen lajan inskripsyon an koute pou etidyan etranje?"),
    ("sw", ["spam"], "Pata wafuasi elfu kumi kwa bei nafuu, nitumie ujumbe."),
    ("sw", [], "Hongera kwa wahitimu wote!"),
    ("id", ["spam"], "Jual followers murah, proses cepat, hubungi via WhatsApp."),
    ("id", [], "Berapa biaya kuliah untuk mahasiswa asing?"),
    ("id", ["abuse"], "Diam kau, dasar bodoh."),
]

# Minimal pairs: the same predicate said as hate, then negated, quoted to condemn it, or
# refuted, so that the models learn what the sentence does, not which words it holds.
BAD_EN = ["vermin", "parasites", "animals", "rats", "a disease", "subhuman", "criminals",
          "terrorists", "stupid", "dangerous", "savages", "trash", "filthy", "a plague",
          "inferior", "worthless", "less than human"]
BAD_FR = ["de la vermine", "des parasites", "des animaux", "des rats", "une maladie",
          "des sous-hommes", "des criminels", "des terroristes", "stupides", "dangereux",
          "des sauvages", "des déchets", "sales", "une plaie", "inférieurs",
          "des moins que rien", "des bons à rien"]
PAIRS_EN = [
    (["hate"], "statement", "{g} are {bad}."),
    (["hate"], "statement", "Let's face it, {g} are {bad}."),
    (["hate"], "question", "Why are {g} always {bad}?"),
    (["hate"], "statement", "Everybody knows {g} are {bad}."),
    ([], "negated_hate", "{g} are not {bad}."),
    ([], "negated_hate", "It is simply false that {g} are {bad}."),
    ([], "negated_hate", "No, {g} are not {bad}, and saying it is bigotry."),
    ([], "counter_speech", "Stop saying {g} are {bad}. It's hateful."),
    ([], "counter_speech", "People who call {g} {bad} should be ashamed."),
    ([], "quote_condemn", "Someone here wrote \"{g} are {bad}\". That's hate speech, please remove it."),
    ([], "quote_condemn", "Reported a comment saying {g} are {bad}. Not acceptable."),
    ([], "counter_speech", "Claiming {g} are {bad} is exactly the prejudice we fight."),
]
PAIRS_FR = [
    (["hate"], "statement", "{g} sont {bad}."),
    (["hate"], "statement", "Soyons clairs, {g} sont {bad}."),
    (["hate"], "question", "Pourquoi {g} sont toujours {bad}?"),
    (["hate"], "statement", "Tout le monde sait que {g} sont {bad}."),
    ([], "negated_hate", "{g} ne sont pas {bad}."),
    ([], "negated_hate", "C'est faux de dire que {g} sont {bad}."),
    ([], "negated_hate", "Non, {g} ne sont pas {bad}, et le dire, c'est du sectarisme."),
    ([], "counter_speech", "Arrêtez de dire que {g} sont {bad}. C'est haineux."),
    ([], "counter_speech", "Ceux qui traitent {g} de {bad} devraient avoir honte."),
    ([], "quote_condemn", "Quelqu'un a écrit « {g} sont {bad} » ici. C'est haineux, retirez-le."),
    ([], "quote_condemn", "J'ai signalé un commentaire qui dit que {g} sont {bad}. Inacceptable."),
    ([], "counter_speech", "Prétendre que {g} sont {bad}, c'est le préjugé qu'on combat."),
]
MORE_FREE = [
    ("negated_hate", "en", "I have no problem at all with {g}."),
    ("negated_hate", "en", "I've never had anything against {g}."),
    ("negated_hate", "en", "Nothing wrong with {g}, they are people like us."),
    ("negated_hate", "fr", "Je n'ai aucun problème avec {g}."),
    ("negated_hate", "fr", "Il n'y a rien de mal à être {one}."),
    ("negated_hate", "fr", "{g} sont des gens comme nous."),
    ("counter_speech", "en", "{g} belong in engineering as much as anyone."),
    ("counter_speech", "en", "Threats against {g} have no place here. Solidarity."),
    ("counter_speech", "fr", "{g} ont autant leur place en génie que n'importe qui."),
    ("counter_speech", "fr", "Les menaces contre {g} n'ont pas leur place ici. Solidarité."),
    ("positive", "en", "Our lab is lucky to have so many {g}."),
    ("positive", "fr", "Notre labo a la chance de compter beaucoup de {g}."),
    # Identity terms in respectful or proud sentences: a group's name is no hate cue.
    ("positive", "en", "{g} have the same rights as everybody on this campus."),
    ("positive", "en", "{g} are every bit as capable as their classmates."),
    ("positive", "en", "Equal respect for {g}, no exceptions."),
    ("positive", "en", "So proud of the {g} who graduated with us this spring."),
    ("reclaimed", "en", "Being {one} in engineering is something I'm proud of."),
    ("counter_speech", "en", "Nobody is better than {g}, and nobody is worse."),
    ("positive", "fr", "{g} ont les mêmes droits que tout le monde sur le campus."),
    ("positive", "fr", "{g} sont tout aussi capables que leurs camarades."),
    ("positive", "fr", "Le même respect pour {g}, sans exception."),
    ("positive", "fr", "Bravo à {g} qui ont reçu leur diplôme avec nous ce printemps."),
    ("reclaimed", "fr", "Être {one} en génie, j'en suis fier."),
    ("counter_speech", "fr", "Personne n'est meilleur que {g}, et personne n'est pire."),
]

NAMES = ["Julie Tremblay", "Marc Gagnon", "Sophie Roy", "Kevin Nguyen", "Amira Haddad",
         "Luc Bouchard", "Emma Wilson", "Yan Li", "Nadia Côté", "Olivier Pelletier"]
BACKSTOP = [
    ("privacy", "fr", ["privacy"], "{name} habite au {n} rue {street}, appartement 3."),
    ("privacy", "fr", ["privacy"], "Voici le cell de {name} : 514-555-0{n}."),
    ("privacy", "fr", ["privacy"], "{name} est suivi(e) pour une dépression, tout le monde devrait le savoir."),
    ("privacy", "fr", ["privacy"], "Le matricule de {name} est 20{n}11 et son NAS commence par 123."),
    ("privacy", "en", ["privacy"], "{name} lives at {n} {street} Street, go knock on the door."),
    ("privacy", "en", ["privacy"], "{name}'s personal number is 438-555-0{n}, spam it."),
    ("privacy", "en", ["privacy"], "{name} has an eating disorder, I saw the clinic file."),
    ("privacy", "en", ["privacy"], "Here's {name}'s home address and her kids' school: {n} {street}."),
    ("privacy", "fr", [], "Bravo à {name} pour sa médaille au concours!"),
    ("privacy", "en", [], "Congratulations to {name} on the thesis defence."),
    ("privacy", "en", [], "{name} gave a great talk on bridges yesterday."),
    ("privacy", "fr", [], "Merci à {name} pour l'organisation de la soirée."),
    ("confidential", "fr", ["confidential"], "Fuite de l'examen final de {course} : question 3, la réponse est {n}."),
    ("confidential", "fr", ["confidential"], "Le code de la porte du labo de {course} est {n}#, servez-vous."),
    ("confidential", "fr", ["confidential"], "Document interne confidentiel : {n} postes seront abolis au département."),
    ("confidential", "fr", ["confidential"], "Le mot de passe du compte admin de {course} est Poly{n}!"),
    ("confidential", "en", ["confidential"], "Leaked answers for the {course} midterm: 1) {n} 2) B 3) D."),
    ("confidential", "en", ["confidential"], "The server room access code is {n}, straight from the internal memo."),
    ("confidential", "en", ["confidential"], "Confidential draft budget: the faculty loses {n} k$ next year."),
    ("confidential", "en", ["confidential"], "Professor {name} earns {n} 000 $ a year, I saw the HR file."),
    ("confidential", "fr", [], "Quand aura lieu l'examen final de {course}?"),
    ("confidential", "en", [], "Is the {course} midterm open book?"),
    ("confidential", "fr", [], "Le plan de cours de {course} est sur Moodle."),
    ("confidential", "en", [], "Where can I find past exams for {course}?"),
    # Course logistics, rooms and prices are public: a code or a number is no secret.
    ("confidential", "fr", [], "Le cours {course} a lieu au local B-{n} cette session."),
    ("confidential", "fr", [], "Le manuel de {course} coûte {n} $ à la Coop, c'est cher."),
    ("confidential", "fr", [], "Le labo de {course} est ouvert jusqu'à 21 h, local A-{n}."),
    ("confidential", "fr", [], "J'ai eu {n} points sur 100 à l'intra de {course}, je suis content."),
    ("confidential", "en", [], "{course} moved to room C-{n} starting next week."),
    ("confidential", "en", [], "The laptop for {course} costs about {n} $ with the student discount."),
    ("confidential", "en", [], "Office hours for {course} are Tuesdays, room L-{n}."),
    ("confidential", "en", [], "The registrar's office is open from 9 to 4, line {n}."),
]
# Second round of functions (issue 17, generalisation): more wordings per function, so that
# the heads learn what a sentence does to a group (despise it, describe it as vile, deny its
# worth, threaten it, ask a loaded question) rather than a handful of phrasings. Same
# free-expression counterweight in every function, and sentences about things or persons that
# are not a protected group (never hate; insults to a person are abuse).
HATE_2 = [
    # strong negative emotion
    ("statement", "en", ["hate"], "I despise {g}."),
    ("statement", "en", ["hate"], "{g} disgust me."),
    ("statement", "en", ["hate"], "I have so much hatred for {g}."),
    ("statement", "en", ["hate"], "Nothing makes me angrier than {g}."),
    ("statement", "en", ["hate"], "I loathe {g} with all my heart."),
    ("statement", "en", ["hate"], "{g} make my blood boil."),
    ("statement", "en", ["hate"], "I can't bear being around {g}."),
    ("statement", "en", ["hate"], "I hate {g}."),
    ("statement", "en", ["hate"], "So sick of {g}."),
    ("statement", "en", ["hate"], "My hatred of {g} is completely justified."),
    ("statement", "fr", ["hate"], "Je méprise {g}."),
    ("statement", "fr", ["hate"], "{g} me répugnent."),
    ("statement", "fr", ["hate"], "J'ai une haine profonde pour {g}."),
    ("statement", "fr", ["hate"], "Rien ne m'enrage plus que {g}."),
    ("statement", "fr", ["hate"], "J'exècre {g}."),
    ("statement", "fr", ["hate"], "{g}, je peux pas les sentir."),
    ("statement", "fr", ["hate"], "{g} me donnent envie de vomir."),
    ("statement", "fr", ["hate"], "Je hais {g}."),
    ("statement", "fr", ["hate"], "J'en ai plein le cul, {g}."),
    ("statement", "fr", ["hate"], "Ma haine envers {g} est totalement justifiée."),
    ("statement", "fr", ["hate"], "Je supporte pas {g}."),
    # very negative attributes
    ("statement", "en", ["hate"], "{g} are disgusting."),
    ("statement", "en", ["hate"], "{g} are pathetic."),
    ("statement", "en", ["hate"], "{g} are all liars and thieves."),
    ("statement", "en", ["hate"], "{g} are so dumb it hurts."),
    ("statement", "en", ["hate"], "{g} are scum."),
    ("statement", "en", ["hate"], "{g} are a waste of space."),
    ("statement", "en", ["hate"], "{g} are useless to society."),
    ("statement", "en", ["hate"], "{g} are violent by nature."),
    ("statement", "en", ["hate"], "{g} are filthy and lazy."),
    ("statement", "en", ["hate"], "All {g} are the same: dishonest."),
    ("statement", "fr", ["hate"], "{g} sont répugnants."),
    ("statement", "fr", ["hate"], "{g} sont pathétiques."),
    ("statement", "fr", ["hate"], "{g} sont tous des menteurs et des voleurs."),
    ("statement", "fr", ["hate"], "{g} sont bêtes à manger du foin."),
    ("statement", "fr", ["hate"], "{g} sont la lie de la société."),
    ("statement", "fr", ["hate"], "{g} ne servent à rien dans la société."),
    ("statement", "fr", ["hate"], "{g} sont violents par nature."),
    ("statement", "fr", ["hate"], "{g} sont sales et paresseux."),
    ("statement", "fr", ["hate"], "{g}, tous pareils : malhonnêtes."),
    # hate carried by a pronoun or by the next sentence
    ("statement", "en", ["hate"], "I've met plenty of {g}, and I hate every single one of them."),
    ("statement", "en", ["hate"], "{g}? Can't stand them."),
    ("statement", "en", ["hate"], "They're all the same, those {g}. Worthless."),
    ("statement", "en", ["hate"], "Let me be clear about {g}: they disgust me."),
    ("statement", "en", ["hate"], "You know what I think of {g}? Trash, all of them."),
    ("statement", "fr", ["hate"], "J'ai connu plein de monde parmi {g}, et je les déteste tous."),
    ("statement", "fr", ["hate"], "{g}? Je peux pas les voir."),
    ("statement", "fr", ["hate"], "Ils sont tous pareils, {g}. Des bons à rien."),
    ("statement", "fr", ["hate"], "Soyons clairs au sujet de {g} : ils me dégoûtent."),
    ("statement", "fr", ["hate"], "Tu sais ce que je pense de {g}? Des déchets, tous."),
    # hate with profanity
    ("statement", "en", ["hate", "abuse"], "Fuck {g}."),
    ("statement", "en", ["hate", "abuse"], "{g} are fucking scum."),
    ("statement", "en", ["hate", "abuse"], "Screw all {g}, seriously."),
    ("statement", "fr", ["hate", "abuse"], "Fuck {g}, sérieux."),
    ("statement", "fr", ["hate", "abuse"], "{g} sont des osties de déchets."),
    ("statement", "fr", ["hate", "abuse"], "{g}, mangez de la marde."),
    # dehumanisation
    ("dehumanisation", "en", ["hate"], "{g} are filthy swine."),
    ("dehumanisation", "en", ["hate"], "{g} are a swarm of locusts."),
    ("dehumanisation", "en", ["hate"], "{g} are a cancer."),
    ("dehumanisation", "en", ["hate"], "{g} are nothing more than livestock."),
    ("dehumanisation", "en", ["hate"], "{g} aren't even human."),
    ("dehumanisation", "en", ["hate"], "{g} are like an infestation of insects."),
    ("dehumanisation", "en", ["hate"], "{g} are rodents."),
    ("dehumanisation", "en", ["hate"], "Treat {g} like the dogs they are."),
    ("dehumanisation", "en", ["hate"], "{g} are a pest problem."),
    ("dehumanisation", "en", ["hate"], "{g} are a virus."),
    ("dehumanisation", "fr", ["hate"], "{g} sont des porcs."),
    ("dehumanisation", "fr", ["hate"], "{g} sont une nuée de sauterelles."),
    ("dehumanisation", "fr", ["hate"], "{g} sont un cancer."),
    ("dehumanisation", "fr", ["hate"], "{g} ne sont que du bétail."),
    ("dehumanisation", "fr", ["hate"], "{g} ne sont même pas humains."),
    ("dehumanisation", "fr", ["hate"], "{g}, c'est comme une invasion d'insectes."),
    ("dehumanisation", "fr", ["hate"], "{g} sont des rongeurs."),
    ("dehumanisation", "fr", ["hate"], "Traitez {g} comme les chiens qu'ils sont."),
    ("dehumanisation", "fr", ["hate"], "{g} sont une engeance nuisible."),
    ("dehumanisation", "fr", ["hate"], "{g} sont un virus."),
    # implicit derogation
    ("implicit", "en", ["hate"], "{g} should stick to cooking and cleaning."),
    ("implicit", "en", ["hate"], "I'd never let {one} operate on me."),
    ("implicit", "en", ["hate"], "Of course {one} failed the exam, what did you expect?"),
    ("implicit", "en", ["hate"], "Typical {g}, always playing the victim."),
    ("implicit", "en", ["hate"], "{g} are only good for cheap labour."),
    ("implicit", "en", ["hate"], "{g} lower the standards wherever they go."),
    ("implicit", "en", ["hate"], "Hiring {g} is how you get bridges that collapse."),
    ("implicit", "en", ["hate"], "There goes the neighbourhood, {g} moved in."),
    ("implicit", "en", ["hate"], "{g} have contributed nothing to civilization."),
    ("implicit", "en", ["hate"], "Keep {g} out of our university."),
    ("implicit", "en", ["hate"], "{g} should not be allowed to vote."),
    ("implicit", "en", ["hate"], "This country was better before {g} showed up."),
    ("implicit", "fr", ["hate"], "{g} devraient se contenter de faire le ménage."),
    ("implicit", "fr", ["hate"], "Jamais je laisserais {one} m'opérer."),
    ("implicit", "fr", ["hate"], "Évidemment que {one} a coulé l'examen, ça vous surprend?"),
    ("implicit", "fr", ["hate"], "Typique, {g} jouent toujours les victimes."),
    ("implicit", "fr", ["hate"], "{g} sont bons juste pour la main-d'œuvre bon marché."),
    ("implicit", "fr", ["hate"], "{g} font baisser le niveau partout où ils passent."),
    ("implicit", "fr", ["hate"], "Engager {g}, c'est comme ça qu'on construit des ponts qui s'effondrent."),
    ("implicit", "fr", ["hate"], "Le quartier est fini, {g} sont arrivés."),
    ("implicit", "fr", ["hate"], "{g} n'ont rien apporté à la civilisation."),
    ("implicit", "fr", ["hate"], "Gardez {g} loin de notre université."),
    ("implicit", "fr", ["hate"], "{g} ne devraient pas avoir le droit de vote."),
    ("implicit", "fr", ["hate"], "Le pays allait mieux avant l'arrivée de {g}."),
    # threats, direct and as what "should" happen
    ("threat", "en", ["hate"], "I'm going to hurt {one} tonight."),
    ("threat", "en", ["hate"], "I'll stab the next one of those {g} I see."),
    ("threat", "en", ["hate"], "I'm going to beat up {one} after the game."),
    ("threat", "en", ["hate"], "{g} should be exterminated."),
    ("threat", "en", ["hate"], "{g} should all be wiped off the face of the earth."),
    ("threat", "en", ["hate"], "We need to get rid of {g} for good."),
    ("threat", "en", ["hate"], "Death to {g}."),
    ("threat", "en", ["hate"], "Someone should blow up the place where {g} meet."),
    ("threat", "en", ["hate"], "{g} deserve to be beaten."),
    ("threat", "en", ["hate"], "I hope {g} all die."),
    ("threat", "en", ["hate"], "It's time to take up arms against {g}."),
    ("threat", "en", ["hate"], "I'll make {g} pay in blood."),
    ("threat", "fr", ["hate"], "Je vais faire mal à {one} ce soir."),
    ("threat", "fr", ["hate"], "Le prochain parmi {g} que je croise, je le poignarde."),
    ("threat", "fr", ["hate"], "Je vais casser la gueule à {one} après le match."),
    ("threat", "fr", ["hate"], "{g} devraient être exterminés."),
    ("threat", "fr", ["hate"], "Il faut rayer {g} de la surface de la terre."),
    ("threat", "fr", ["hate"], "Il faut se débarrasser de {g} une fois pour toutes."),
    ("threat", "fr", ["hate"], "Mort à {g}."),
    ("threat", "fr", ["hate"], "Quelqu'un devrait faire sauter l'endroit où {g} se réunissent."),
    ("threat", "fr", ["hate"], "{g} méritent de se faire tabasser."),
    ("threat", "fr", ["hate"], "J'espère que {g} vont tous crever."),
    ("threat", "fr", ["hate"], "C'est le temps de prendre les armes contre {g}."),
    ("threat", "fr", ["hate"], "Je vais faire payer {g} dans le sang."),
    # loaded questions and opinions
    ("question", "en", ["hate"], "Why do {g} always have to ruin everything?"),
    ("question", "en", ["hate"], "Why can't {g} just disappear?"),
    ("question", "en", ["hate"], "Wouldn't we all be better off without {g}?"),
    ("question", "en", ["hate"], "Who else is sick of {g}?"),
    ("question", "en", ["hate"], "Why does anyone still tolerate {g}?"),
    ("question", "en", ["hate"], "I think {g} are a blight on this campus."),
    ("question", "en", ["hate"], "In my view, {g} are lesser people."),
    ("question", "en", ["hate"], "Personally, I believe {g} are genetically inferior."),
    ("question", "en", ["hate"], "My opinion: {g} should not be studying here."),
    ("question", "en", ["hate"], "I feel like {g} are all freeloaders."),
    ("question", "fr", ["hate"], "Pourquoi {g} gâchent toujours tout?"),
    ("question", "fr", ["hate"], "Pourquoi {g} ne disparaissent pas, tout simplement?"),
    ("question", "fr", ["hate"], "On serait pas mieux sans {g}?"),
    ("question", "fr", ["hate"], "Qui d'autre en a marre de {g}?"),
    ("question", "fr", ["hate"], "Pourquoi on tolère encore {g}?"),
    ("question", "fr", ["hate"], "Je pense que {g} sont un fléau pour le campus."),
    ("question", "fr", ["hate"], "Selon moi, {g} valent moins que les autres."),
    ("question", "fr", ["hate"], "Personnellement, je crois que {g} sont génétiquement inférieurs."),
    ("question", "fr", ["hate"], "Mon opinion : {g} ne devraient pas étudier ici."),
    ("question", "fr", ["hate"], "J'ai l'impression que {g} sont tous des profiteurs."),
    # a positive statement negated
    ("negated_praise", "en", ["hate"], "{g} are never going to be equal to us."),
    ("negated_praise", "en", ["hate"], "I don't respect {g} at all."),
    ("negated_praise", "en", ["hate"], "{g} don't deserve to live."),
    ("negated_praise", "en", ["hate"], "{g} aren't worth anyone's time."),
    ("negated_praise", "en", ["hate"], "{g} can't be real scientists."),
    ("negated_praise", "en", ["hate"], "{g} are not people, not really."),
    ("negated_praise", "en", ["hate"], "Not one of those {g} has ever done anything useful."),
    ("negated_praise", "en", ["hate"], "{g} will never belong here."),
    ("negated_praise", "en", ["hate"], "I would never treat {g} as equals."),
    ("negated_praise", "en", ["hate"], "{g} have no place in a civilized society."),
    ("negated_praise", "fr", ["hate"], "{g} ne seront jamais nos égaux."),
    ("negated_praise", "fr", ["hate"], "Je ne respecte pas du tout {g}."),
    ("negated_praise", "fr", ["hate"], "{g} ne méritent pas de vivre."),
    ("negated_praise", "fr", ["hate"], "{g} ne valent pas la peine qu'on leur parle."),
    ("negated_praise", "fr", ["hate"], "{g} ne peuvent pas être de vrais scientifiques."),
    ("negated_praise", "fr", ["hate"], "{g} ne sont pas des personnes, pas vraiment."),
    ("negated_praise", "fr", ["hate"], "Aucun parmi {g} n'a jamais rien fait d'utile."),
    ("negated_praise", "fr", ["hate"], "{g} n'auront jamais leur place ici."),
    ("negated_praise", "fr", ["hate"], "Je ne traiterai jamais {g} comme des égaux."),
    ("negated_praise", "fr", ["hate"], "{g} n'ont pas leur place dans une société civilisée."),
]

FREE_2 = [
    # identity terms in neutral or positive sentences
    ("positive", "en", "Many {g} study in my program."),
    ("positive", "en", "The event is open to {g} and their allies."),
    ("positive", "en", "{g} are welcome at Polytechnique."),
    ("positive", "en", "I grew up surrounded by {g}."),
    ("positive", "en", "A panel of {g} will speak on Thursday."),
    ("positive", "en", "{g} deserve the same opportunities as everyone."),
    ("positive", "en", "I love how diverse our class is, {g} included."),
    ("reclaimed", "en", "I am {one} and I study civil engineering."),
    ("reclaimed", "en", "As {one}, I feel at home on this campus."),
    ("positive", "fr", "{g} sont nombreux dans mon programme."),
    ("positive", "fr", "L'événement est ouvert à {g} et à leurs alliés."),
    ("positive", "fr", "{g} sont les bienvenus à Polytechnique."),
    ("positive", "fr", "Un panel avec {g} aura lieu jeudi."),
    ("positive", "fr", "{g} méritent les mêmes chances que tout le monde."),
    ("positive", "fr", "J'adore la diversité de notre classe, {g} compris."),
    ("reclaimed", "fr", "Je suis {one} et j'étudie en génie civil."),
    ("reclaimed", "fr", "En tant que {one}, je me sens chez moi sur le campus."),
    # counter-speech
    ("counter_speech", "en", "If you think {g} are inferior, you have learned nothing."),
    ("counter_speech", "en", "Comments attacking {g} are hate, plain and simple."),
    ("counter_speech", "en", "{g} are human beings. Enough with the dehumanising talk."),
    ("counter_speech", "en", "I will always stand up for {g} against people like you."),
    ("counter_speech", "en", "Hatred of {g} has killed before. We must not let it spread."),
    ("counter_speech", "en", "Reporting every comment that insults {g}. Do the same."),
    ("counter_speech", "en", "Calling {g} animals is disgusting, and you know it."),
    ("counter_speech", "en", "Why do people still believe {g} are dangerous? The data says otherwise."),
    ("counter_speech", "fr", "Si tu penses que {g} sont inférieurs, tu n'as rien appris."),
    ("counter_speech", "fr", "Les commentaires qui attaquent {g}, c'est de la haine, point."),
    ("counter_speech", "fr", "{g} sont des êtres humains. Assez des propos déshumanisants."),
    ("counter_speech", "fr", "Je défendrai toujours {g} contre des gens comme toi."),
    ("counter_speech", "fr", "La haine contre {g} a déjà tué. Il ne faut pas la laisser se répandre."),
    ("counter_speech", "fr", "Je signale chaque commentaire qui insulte {g}. Faites pareil."),
    ("counter_speech", "fr", "Traiter {g} d'animaux, c'est dégoûtant, et tu le sais."),
    ("counter_speech", "fr", "Pourquoi certains croient encore que {g} sont dangereux? Les données disent le contraire."),
    # negated hate
    ("negated_hate", "en", "I don't think {g} are inferior in any way."),
    ("negated_hate", "en", "{g} are not dangerous, they're our neighbours."),
    ("negated_hate", "en", "No one should hate {g}."),
    ("negated_hate", "en", "I would never say anything bad about {g}."),
    ("negated_hate", "en", "It's not true that {g} ruin anything."),
    ("negated_hate", "fr", "Je ne pense pas que {g} soient inférieurs, en rien."),
    ("negated_hate", "fr", "{g} ne sont pas dangereux, ce sont nos voisins."),
    ("negated_hate", "fr", "Personne ne devrait haïr {g}."),
    ("negated_hate", "fr", "Je ne dirais jamais rien de mal sur {g}."),
    ("negated_hate", "fr", "C'est faux que {g} gâchent quoi que ce soit."),
]

NOT_A_GROUP = [
    # strong words about things, animals or a person: never hate (insults to a person: abuse)
    ("not_protected", "en", [], "I hate Mondays."),
    ("not_protected", "en", [], "Mosquitoes are vermin."),
    ("not_protected", "en", [], "Exams are the worst."),
    ("not_protected", "en", [], "I despise the traffic on the Décarie."),
    ("not_protected", "en", [], "This weather makes me sick."),
    ("not_protected", "en", [], "Pigeons are rats with wings."),
    ("not_protected", "en", [], "I can't stand group projects."),
    ("not_protected", "en", [], "The new parking rules are garbage."),
    ("not_protected", "fr", [], "Je déteste les lundis."),
    ("not_protected", "fr", [], "Les maringouins, c'est de la vermine."),
    ("not_protected", "fr", [], "Les examens, c'est les pires."),
    ("not_protected", "fr", [], "Je hais le trafic sur Décarie."),
    ("not_protected", "fr", [], "Cette météo me donne envie de vomir."),
    ("not_protected", "fr", [], "Les pigeons, c'est des rats avec des ailes."),
    ("not_protected", "fr", [], "Je supporte pas les travaux d'équipe."),
    ("not_protected", "fr", [], "Les nouvelles règles du stationnement, c'est de la marde."),
    ("not_protected", "en", ["abuse"], "You're a worthless idiot."),
    ("not_protected", "en", ["abuse"], "Shut up, you pathetic loser."),
    ("not_protected", "fr", ["abuse"], "T'es un maudit cave."),
    ("not_protected", "fr", ["abuse"], "Ferme ta gueule, pauvre con."),
    # 6 December 1989: more glorification, and remembrance that quotes the killer to condemn
    ("polytechnique_1989", "en", ["hate"], "Lépine is my idol."),
    ("polytechnique_1989", "en", ["hate"], "Can't wait for another December 6."),
    ("polytechnique_1989", "en", ["hate"], "Bring back 1989."),
    ("polytechnique_1989", "en", ["hate"], "Marc was right about feminists."),
    ("polytechnique_1989", "en", ["hate"], "Feminists at Poly should remember what happened in 1989."),
    ("polytechnique_1989", "en", ["hate"], "He only got 14, someone could do better."),
    ("polytechnique_1989", "fr", ["hate"], "Lépine, mon idole."),
    ("polytechnique_1989", "fr", ["hate"], "Que quelqu'un refasse le 6 décembre."),
    ("polytechnique_1989", "fr", ["hate"], "Ramenez 1989."),
    ("polytechnique_1989", "fr", ["hate"], "Marc avait raison sur les féministes."),
    ("polytechnique_1989", "fr", ["hate"], "Les féministes de Poly devraient se rappeler 1989."),
    ("polytechnique_1989", "fr", ["hate"], "Il en a eu juste 14, quelqu'un pourrait faire mieux."),
    ("polytechnique_1989", "en", ["hate"], "RIP to a legend, Marc Lépine."),
    ("polytechnique_1989", "en", ["hate"], "Polytechnique needs another Marc."),
    ("polytechnique_1989", "en", ["hate"], "December 6 is a day to celebrate."),
    ("polytechnique_1989", "fr", ["hate"], "Merci Marc."),
    ("polytechnique_1989", "fr", ["hate"], "Poly aurait besoin d'un autre Marc."),
    ("polytechnique_1989", "fr", ["hate"], "Le 6 décembre, moi je célèbre."),
    ("polytechnique_1989", "fr", ["hate"], "Un vrai homme, ce Lépine."),
    ("remembrance", "en", [], "\"I hate feminists,\" the killer said in 1989. Fourteen women died for that hatred. We remember them."),
    ("remembrance", "en", [], "He blamed feminists for his life; his misogyny killed 14 women. Never forget."),
    ("remembrance", "en", [], "Calling the killer a hero is exactly the hatred that murdered them in 1989."),
    ("remembrance", "fr", [], "« J'haïs les féministes », a dit le tueur en 1989. Quatorze femmes sont mortes de cette haine. On se souvient."),
    ("remembrance", "fr", [], "Il accusait les féministes d'avoir gâché sa vie; sa misogynie a tué 14 femmes. Jamais on n'oubliera."),
    ("remembrance", "fr", [], "Traiter le tueur de héros, c'est la même haine qui les a assassinées en 1989."),
]

# Minimal pairs over verbs: the same feeling or act said, then negated or refused, so that a
# negation is read (HATE_2's counterweight for "I don't hate ...", "I would never hurt ...").
VERBS_EN = ["hate", "despise", "loathe", "detest"]
VERBS_FR = [("déteste", "détester"), ("méprise", "mépriser"), ("hais", "haïr"),
            ("exècre", "exécrer")]
ACTS_EN = ["hurt", "attack", "kill", "stab", "beat up"]
ACTS_FR = ["frapper", "attaquer", "tuer", "poignarder", "blesser"]
VERB_PAIRS = [
    ("en", ["hate"], "statement", "I {v} {g}."),
    ("en", ["hate"], "statement", "Honestly, I {v} {g}."),
    ("en", ["hate"], "statement", "We all {v} {g} here."),
    ("en", [], "negated_hate", "I don't {v} {g}."),
    ("en", [], "negated_hate", "I would never {v} {g}."),
    ("en", [], "counter_speech", "Nobody here should {v} {g}."),
    ("en", [], "counter_speech", "Why would anyone {v} {g}? They're people like us."),
    ("fr", ["hate"], "statement", "Je {v} {g}."),
    ("fr", ["hate"], "statement", "Franchement, je {v} {g}."),
    ("fr", [], "negated_hate", "Je ne {v} pas {g}."),
    ("fr", [], "negated_hate", "Je n'ai jamais pu {inf} {g}."),
    ("fr", [], "counter_speech", "Personne ici ne devrait {inf} {g}."),
    ("fr", [], "counter_speech", "Pourquoi {inf} {g}? Ce sont des gens comme nous."),
]
ACT_PAIRS = [
    ("en", ["hate"], "threat", "I'm going to {a} {one}."),
    ("en", ["hate"], "threat", "Someone should {a} {g}."),
    ("en", [], "negated_hate", "I would never {a} {one}."),
    ("en", [], "counter_speech", "Nobody should ever {a} {one}. Report threats like that."),
    ("fr", ["hate"], "threat", "Je vais {a} {one}."),
    ("fr", ["hate"], "threat", "Quelqu'un devrait {a} {g}."),
    ("fr", [], "negated_hate", "Je ne vais jamais {a} {one}."),
    ("fr", [], "counter_speech", "Personne ne devrait {a} {one}. Signalez ces menaces."),
]
IMPLICIT_2 = [
    ("en", "We all know what happens when {g} move into a neighbourhood."),
    ("en", "{g} are taking over, wake up."),
    ("en", "Funny how crime goes up wherever {g} settle."),
    ("en", "Another one of those {g} hired for diversity, not skill."),
    ("en", "{g} were never meant to be engineers."),
    ("en", "Give {g} an inch and they take a mile."),
    ("fr", "On sait tous ce qui arrive quand {g} s'installent dans un quartier."),
    ("fr", "{g} prennent le contrôle, réveillez-vous."),
    ("fr", "Drôle comme la criminalité monte partout où {g} s'installent."),
    ("fr", "Encore un parmi {g} engagé pour la diversité, pas pour la compétence."),
    ("fr", "{g} n'ont jamais été faits pour le génie."),
    ("fr", "Donnez un pouce à {g}, ils prennent un bras."),
]

COURSES = ["MTH1101", "INF1005", "PHS1101", "ELE2302", "MEC1210", "CHE1000", "LOG2410"]
STREETS = ["Saint-Denis", "Maple", "Côte-des-Neiges", "Oak", "Beaubien", "Decelles"]


def _expand(template: str, lang: str, rng: random.Random, k: int) -> list[str]:
    groups, ones = (GROUPS_FR, ONE_FR) if lang == "fr" else (GROUPS_EN, ONE_EN)
    if "{g}" not in template and "{one}" not in template:
        return [template]
    out = []
    for g, one in zip(rng.sample(groups, k), rng.sample(ones, min(k, len(ones))), strict=False):
        text = template.replace("{g}", g).replace("{one}", one)
        if lang == "fr":
            text = _elide(text)
        out.append(text[0].upper() + text[1:])
    return out


# French contracts "à les", "de les", "que une" when a group fills a template.
_FR_CONTRACTIONS = ((" à les ", " aux "), (" ne e", " n'e"), (" de les ", " des "), ("À les ", "Aux "),
                    ("De les ", "Des "), (" que un", " qu'un"), (" que une", " qu'une"),
                    (" de un", " d'un"), (" de une", " d'une"))


def _elide(text: str) -> str:
    for plain, contracted in _FR_CONTRACTIONS:
        text = text.replace(plain, contracted)
    return text


def _group(template: str) -> str:
    """The fold group of a template's expansions (training keeps them on one side of a split)."""
    return "t/" + hashlib.blake2b(template.encode("utf-8"), digest_size=6).hexdigest()


def _add(files: dict[str, list[dict[str, object]]], text: str, lang: str, labels: list[str],
         function: str, template: str) -> None:
    """One row, in the hate file when labelled, else in the free-expression file.

    Rows expanded from one template share a fold group: the judge's out-of-fold scores (and
    so its thresholds) never see a sentence whose twin over another group was trained on.
    """
    name = "hate_functions.jsonl" if labels else "free_expression.jsonl"
    files.setdefault(name, []).append(
        {"text": text, "lang": lang, "labels": labels, "function": function,
         "group": _group(template)})


def main() -> None:
    rng = random.Random(17)
    OUT.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[dict[str, object]]] = {}
    # Hate over 6 groups, free expression over every group: a group's name alone must never
    # be what makes a sentence hateful (identity-term bias of the public hate sets).
    for function, lang, labels, template in HATE:
        for text in _expand(template, lang, rng, 6):
            _add(files, text, lang, labels, function, template)
    for function, lang, template in FREE:
        for text in _expand(template, lang, rng, len(GROUPS_EN)):
            _add(files, text, lang, [], function, template)
    for function, lang, labels, text in FIXED:
        name = {"foreign": "other_languages.jsonl", "confidential": "backstops.jsonl",
                "privacy": "backstops.jsonl"}.get(function, "fixed.jsonl")
        files.setdefault(name, []).append(
            {"text": text, "lang": lang, "labels": labels, "function": function})
    for table, bad_words, lang in ((PAIRS_EN, BAD_EN, "en"), (PAIRS_FR, BAD_FR, "fr")):
        for labels, function, template in table:
            for bad in rng.sample(bad_words, 6):
                for text in _expand(template.replace("{bad}", bad), lang, rng, 1):
                    _add(files, text, lang, labels, function, template)
    for function, lang, template in MORE_FREE:
        for text in _expand(template, lang, rng, len(GROUPS_EN)):
            _add(files, text, lang, [], function, template)
    for function, lang, labels, template in BACKSTOP:
        for _ in range(4):
            text = (template.replace("{name}", rng.choice(NAMES))
                    .replace("{n}", str(rng.randrange(100, 9999)))
                    .replace("{street}", rng.choice(STREETS))
                    .replace("{course}", rng.choice(COURSES)))
            files.setdefault("backstops.jsonl", []).append(
                {"text": text, "lang": lang, "labels": labels, "function": function,
                 "group": _group(template)})
    # Second round (HATE_2, FREE_2, NOT_A_GROUP): after the first, so its rows are unchanged.
    for function, lang, labels, template in HATE_2:
        for text in _expand(template, lang, rng, 4):
            _add(files, text, lang, labels, function, template)
    for function, lang, template in FREE_2:
        for text in _expand(template, lang, rng, len(GROUPS_EN)):
            _add(files, text, lang, [], function, template)
    for function, lang, labels, text in NOT_A_GROUP:
        files.setdefault("fixed.jsonl", []).append(
            {"text": text, "lang": lang, "labels": labels, "function": function})
    for lang, labels, function, template in VERB_PAIRS:
        verbs = VERBS_FR if lang == "fr" else [(v, v) for v in VERBS_EN]
        for conj, inf in verbs:
            filled = template.replace("{v}", conj).replace("{inf}", inf)
            for text in _expand(filled, lang, rng, 3 if labels else 5):
                _add(files, text, lang, labels, function, template)
    for lang, labels, function, template in ACT_PAIRS:
        for act in ACTS_FR if lang == "fr" else ACTS_EN:
            for text in _expand(template.replace("{a}", act), lang, rng, 2 if labels else 3):
                _add(files, text, lang, labels, function, template)
    for lang, template in IMPLICIT_2:
        for text in _expand(template, lang, rng, 4):
            _add(files, text, lang, ["hate"], "implicit", template)
    for lang, labels, text in FOREIGN_2:
        files["other_languages.jsonl"].append(
            {"text": text, "lang": lang, "labels": labels, "function": "foreign"})
    for name, rows in files.items():
        with (OUT / name).open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{OUT / name}: {len(rows)} examples")


if __name__ == "__main__":
    main()
