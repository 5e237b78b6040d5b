module.exports = {
  "0001": {
    "code": "0001",
    "name": "みずほ",
    "kana": "ミズホ",
    "hira": "みずほ",
    "roma": "mizuho",
    "branches": {
      "001": {
        "code": "001",
        "name": "東京営業部",
        "kana": "トウキヨウ",
        "hira": "とうきよう",
        "roma": "toukiyou"
      },
      "004": {
        "code": "004",
        "name": "丸の内中央",
        "kana": "マルノウチチユウオウ",
        "hira": "まるのうちちゆうおう",
        "roma": "marunouchichiyuuou"
      },
      "005": {
        "code": "005",
        "name": "丸之内",
        "kana": "マルノウチ",
        "hira": "まるのうち",
        "roma": "marunouchi"
      },
      "009": {
        "code": "009",
        "name": "神田駅前",
        "kana": "カンダエキマエ",
        "hira": "かんだえきまえ",
        "roma": "kandaekimae"
      },
      "013": {
        "code": "013",
        "name": "町村会館出張所",
        "kana": "チヨウソンカイカン",
        "hira": "ちようそんかいかん",
        "roma": "chiyousonkaikan"
      },
      "015": {
        "code": "015",
        "name": "築地",
        "kana": "ツキヂ",
        "hira": "つきぢ",
        "roma": "tsukidi"
      }
    }
  },
  "0005": {
    "code": "0005",
    "name": "三菱ＵＦＪ",
    "kana": "ミツビシユ－エフジエイ",
    "hira": "みつびしゆ－えふじえい",
    "roma": "mitsubishiyu-efujiei",
    "branches": {
      "001": {
        "code": "001",
        "name": "本店",
        "kana": "ホンテン",
        "hira": "ほんてん",
        "roma": "honten"
      },
      "002": {
        "code": "002",
        "name": "丸の内",
        "kana": "マルノウチ",
        "hira": "まるのうち",
        "roma": "marunouchi"
      },
      "003": {
        "code": "003",
        "name": "瓦町",
        "kana": "カワラマチ",
        "hira": "かわらまち",
        "roma": "kawaramachi"
      },
      "004": {
        "code": "004",
        "name": "船場",
        "kana": "センバ",
        "hira": "せんば",
        "roma": "semba"
      },
      "005": {
        "code": "005",
        "name": "大阪営業部",
        "kana": "オオサカ",
        "hira": "おおさか",
        "roma": "oosaka"
      },
      "006": {
        "code": "006",
        "name": "歌島橋",
        "kana": "ウタジマバシ",
        "hira": "うたじまばし",
        "roma": "utajimabashi"
      }
    }
  },
  "0009": {
    "code": "0009",
    "name": "三井住友",
    "kana": "ミツイスミトモ",
    "hira": "みついすみとも",
    "roma": "mitsuisumitomo",
    "branches": {
      "001": {
        "code": "001",
        "name": "神保町",
        "kana": "ジンボウチヨウ",
        "hira": "じんぼうちよう",
        "roma": "jimbouchiyou"
      },
      "005": {
        "code": "005",
        "name": "春日部",
        "kana": "カスカベ",
        "hira": "かすかべ",
        "roma": "kasukabe"
      },
      "007": {
        "code": "007",
        "name": "新潟",
        "kana": "ニイガタ",
        "hira": "にいがた",
        "roma": "niigata"
      },
      "008": {
        "code": "008",
        "name": "長野",
        "kana": "ナガノ",
        "hira": "ながの",
        "roma": "nagano"
      },
      "009": {
        "code": "009",
        "name": "上田",
        "kana": "ウエダ",
        "hira": "うえだ",
        "roma": "ueda"
      }
    }
  },
  "0010": {
    "code": "0010",
    "name": "りそな",
    "kana": "リソナ",
    "hira": "りそな",
    "roma": "risona",
    "branches": {
      "005": {
        "code": "005",
        "name": "天理",
        "kana": "テンリ",
        "hira": "てんり",
        "roma": "tenri"
      },
      "008": {
        "code": "008",
        "name": "吉野",
        "kana": "ヨシノ",
        "hira": "よしの",
        "roma": "yoshino"
      },
      "010": {
        "code": "010",
        "name": "東生駒",
        "kana": "ヒガシイコマ",
        "hira": "ひがしいこま",
        "roma": "higashiikoma"
      },
      "013": {
        "code": "013",
        "name": "小泉",
        "kana": "コイズミ",
        "hira": "こいずみ",
        "roma": "koizumi"
      }
    }
  },
  "0116": {
    "code": "0116",
    "name": "北海道",
    "kana": "ホツカイドウ",
    "hira": "ほつかいどう",
    "roma": "hotsukaidou",
    "branches": {
      "101": {
        "code": "101",
        "name": "本店営業部",
        "kana": "ホンテン",
        "hira": "ほんてん",
        "roma": "honten"
      },
      "102": {
        "code": "102",
        "name": "豊平",
        "kana": "トヨヒラ",
        "hira": "とよひら",
        "roma": "toyohira"
      },
      "103": {
        "code": "103",
        "name": "行啓通",
        "kana": "ギヨウケイドオリ",
        "hira": "ぎようけいどおり",
        "roma": "giyoukeidoori"
      },
      "104": {
        "code": "104",
        "name": "南一条",
        "kana": "ミナミイチジヨウ",
        "hira": "みなみいちじよう",
        "roma": "minamiichijiyou"
      },
      "105": {
        "code": "105",
        "name": "創成",
        "kana": "ソウセイ",
        "hira": "そうせい",
        "roma": "sousei"
      }
    }
  },
  "9900": {
    "code": "9900",
    "name": "ゆうちょ",
    "kana": "ユウチヨ",
    "hira": "ゆうちよ",
    "roma": "yuuchiyo",
    "branches": {
      "008": {
        "code": "008",
        "name": "〇〇八",
        "kana": "ゼロゼロハチ",
        "hira": "ぜろぜろはち",
        "roma": "zerozerohachi"
      },
      "018": {
        "code": "018",
        "name": "〇一八",
        "kana": "ゼロイチハチ",
        "hira": "ぜろいちはち",
        "roma": "zeroichihachi"
      },
      "019": {
        "code": "019",
        "name": "〇一九",
        "kana": "ゼロイチキユウ",
        "hira": "ぜろいちきゆう",
        "roma": "zeroichikiyuu"
      },
      "028": {
        "code": "028",
        "name": "〇二八",
        "kana": "ゼロニハチ",
        "hira": "ぜろにはち",
        "roma": "zeronihachi"
      }
    }
  }
};
