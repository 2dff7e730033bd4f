"""Given and family names of each nationality, as the applicants themselves write them.

Each entry is "native|Latin spelling, another spelling": a person's name is stored in their
own script and in one of the Latin spellings their documents might use.
"""

Names = tuple[tuple[str, tuple[str, ...]], ...]


def _pool(text: str) -> Names:
    entries = []
    for line in text.strip().splitlines():
        native, latin = line.strip().split("|")
        entries.append((native, tuple(part.strip() for part in latin.split(","))))
    return tuple(entries)


MOHAMMAD = ("Mohammad", "Muhammad", "Mohammed", "Mohamad", "Muhammed", "Mohamed")
AF_MEN = _pool("""
    احمد|Ahmad, Ahmed
    علی|Ali
    حسین|Hussain, Hussein, Hosain
    عبدالله|Abdullah, Abdollah
    نجیب‌الله|Najibullah, Najeebullah
    فرید|Farid, Fareed
    جاوید|Javid, Jawed, Jawid
    رحیم|Rahim, Raheem
    کریم|Karim, Kareem
    حمید|Hamid, Hameed
    یوسف|Yusuf, Yousuf, Yousef
    عمر|Omar, Umar
    شفیق|Shafiq, Shafeeq
    ذبیح‌الله|Zabihullah, Zabiullah
    سمیع‌الله|Samiullah, Sami Ullah
    عزیز|Aziz
    نوید|Navid, Naveed
    سهراب|Sohrab, Suhrab
    مصطفی|Mustafa, Mostafa
    خالد|Khalid, Khaled
    بشیر|Bashir, Basheer
    قاسم|Qasim, Ghasem, Kasim
    امید|Omid, Umid
    ولی|Wali, Vali
    هارون|Haroon, Harun
    ادریس|Idris, Edris
    جمشید|Jamshid, Jamsheed
    طارق|Tariq, Tareq
    زلمی|Zalmai, Zalmay
    میرویس|Mirwais, Mirways
    ننګیالی|Nangialai, Nangyalay
    ګل‌آغا|Gul Agha, Gulagha
""")
AF_WOMEN = _pool("""
    فاطمه|Fatima, Fatema, Fatimah
    مریم|Maryam, Mariam
    زهرا|Zahra, Zahraa
    مینا|Mina, Meena
    شبانه|Shabana
    نرگس|Nargis, Narges
    پروانه|Parwana, Parvana
    لیلا|Laila, Leila, Layla
    ملالۍ|Malalai, Malalay
    زرغونه|Zarghuna, Zarghona
    حلیمه|Halima, Haleema
    سمیرا|Samira, Sameera
    فرشته|Fereshta, Freshta
    نازنین|Nazanin
    شکیلا|Shakila, Shakeela
    رویا|Roya
    خدیجه|Khadija, Khadijah
    عایشه|Aisha, Ayesha
    سحر|Sahar
    ستاره|Setara, Sitara
    زینب|Zainab, Zeinab
    آرزو|Arzu, Arezo
    شینکۍ|Shinkai, Shinkay
    هما|Homa, Huma
""")
AF_FAMILIES = _pool("""
    احمدی|Ahmadi
    محمدی|Mohammadi, Muhammadi
    حیدری|Haidari, Haydari
    رحیمی|Rahimi
    کریمی|Karimi
    نوری|Noori, Nouri
    صدیقی|Siddiqi, Sediqi, Seddiqi
    یوسفزی|Yousafzai, Yusufzai
    احمدزی|Ahmadzai
    پوپلزی|Popalzai
    بارکزی|Barakzai
    علیزاده|Alizada, Alizadah
    حسینی|Hussaini, Husaini, Hosseini
    سادات|Sadat
    وردک|Wardak
    ستانکزی|Stanikzai, Stanekzai
    هاشمی|Hashimi, Hashemi
    نظری|Nazari
    رسولی|Rasuli, Rasooli
    امیری|Amiri
    جلالی|Jalali
    قادری|Qaderi, Qadiri
    شینواری|Shinwari
    مومند|Momand, Mohmand
    کاکړ|Kakar
    ځدراڼ|Zadran
    منګل|Mangal
    نیازی|Niazi
    سلطانی|Sultani, Soltani
""")
IR_FAMILIES = _pool("""
    رضایی|Rezaei, Rezaee
    موسوی|Mousavi, Musavi
    کاظمی|Kazemi
    تهرانی|Tehrani
    جعفری|Jafari, Jafary
    صادقی|Sadeghi, Sadeqi
    نجفی|Najafi
    اکبری|Akbari
""")
SY_MEN = _pool("""
    أحمد|Ahmad, Ahmed
    خالد|Khaled, Khalid
    عمر|Omar
    يوسف|Youssef, Yusuf
    باسل|Basel, Bassel
    رامي|Rami
    طارق|Tarek, Tariq
    مازن|Mazen
    سامر|Samer
""")
SY_WOMEN = _pool("""
    فاطمة|Fatima, Fatma
    مريم|Mariam, Maryam
    رشا|Rasha
    هبة|Heba, Hiba
    ريم|Reem, Rim
    لينا|Lina
    نور|Nour, Noor
    سلمى|Salma
""")
SY_FAMILIES = _pool("""
    الحلبي|Al-Halabi, Alhalabi
    الخطيب|Al-Khatib, Alkhateeb
    حداد|Haddad
    الشامي|Al-Shami, Alshami
    العلي|Al-Ali
    المصري|Al-Masri, Almasri
    الحسن|Al-Hassan, Alhasan
    درويش|Darwish, Darwich
    قباني|Kabbani, Qabbani
""")
PK_MEN = _pool("""
    عمران|Imran
    عاصم|Asim, Aasim
    بلال|Bilal
    فیصل|Faisal, Faysal
    حسن|Hassan, Hasan
""")
PK_WOMEN = _pool("""
    ثمینہ|Samina, Sameena
    عائشہ|Ayesha, Aisha
    صائمہ|Saima
    نادیہ|Nadia, Nadiya
""")
PK_FAMILIES = _pool("""
    خان|Khan
    قریشی|Qureshi, Qureshy
    ملک|Malik
    چودھری|Chaudhry, Chaudhary
    بٹ|Butt
""")
RU_MEN = _pool("""
    Алексей|Aleksei, Alexey, Aleksey
    Дмитрий|Dmitry, Dmitrii, Dmitriy
    Сергей|Sergei, Sergey
    Андрей|Andrei, Andrey
    Иван|Ivan
    Михаил|Mikhail, Michail
    Павел|Pavel
    Артём|Artyom, Artem, Artiom
""")
RU_WOMEN = _pool("""
    Ольга|Olga
    Анна|Anna
    Екатерина|Ekaterina, Yekaterina
    Мария|Maria, Mariya
    Наталья|Natalia, Natalya
    Татьяна|Tatiana, Tatyana
    Юлия|Yulia, Julia, Iuliia
""")
# Russian surnames ending in -ов, -ев or -ин take an -а for women; the others never change.
RU_FAMILIES = _pool("""
    Иванов|Ivanov
    Смирнов|Smirnov
    Кузнецов|Kuznetsov, Kuznetsow
    Соколов|Sokolov
    Лебедев|Lebedev
    Новиков|Novikov
    Морозов|Morozov
    Волков|Volkov
    Зайцев|Zaitsev, Zaytsev
    Шевчук|Shevchuk, Schewtschuk
    Кравченко|Kravchenko, Krawtschenko
    Ковальчук|Kovalchuk, Kowaltschuk
    Лукашевич|Lukashevich, Lukaschewitsch
""")
TR_MEN = _pool("""
    Mehmet|Mehmet, Mehmed
    Mustafa|Mustafa
    Emre|Emre
    Gökhan|Gokhan, Goekhan
    Hüseyin|Huseyin, Hueseyin
    Murat|Murat
""")
TR_WOMEN = _pool("""
    Ayşe|Ayse, Aysche
    Zeynep|Zeynep
    Elif|Elif
    Özlem|Ozlem, Oezlem
    Gülşen|Gulsen, Guelsen
""")
TR_FAMILIES = _pool("""
    Yılmaz|Yilmaz
    Kaya|Kaya
    Demir|Demir
    Şahin|Sahin, Schahin
    Çelik|Celik, Tschelik
    Öztürk|Ozturk, Oeztuerk
    Aydın|Aydin
    Arslan|Arslan
""")
