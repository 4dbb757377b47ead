// UBoostLang
