"""PayPal carrier enum values the sandbox accepts (from PayPal's "Add Tracking API Carriers" page).

A subset of the published global and country-specific tables: the carriers cross-border merchants
use most. A value outside the set is refused with INVALID_ENUM_VALUE, as PayPal refuses unknown enums.
"""

from __future__ import annotations

OTHER = "OTHER"

CARRIERS: frozenset[str] = frozenset({
    "OTHER", "UPS", "USPS", "FEDEX", "DHL", "DHL_GLOBAL_ECOMMERCE", "DHL_GLOBAL_MAIL", "DHL_GLOBAL_MAIL_ASIA",
    "DHL_PACKET", "DHL_DEUTSCHE_POST", "DHL_UK", "DHL_FR", "DHL_IT", "DHL_ES", "DHL_NL", "DHL_AU", "DHL_HK",
    "DHL_JP", "DHL_SG", "DHL_PL", "DHL_AT", "TNT", "TNT_UK", "TNT_FR", "TNT_DE", "TNT_IT", "TNT_ES", "TNT_AU",
    "ARAMEX", "DPD", "DPD_UK", "DPD_DE", "DPD_FR", "DPD_PL", "DPD_IR", "DPD_LOCAL", "GLS", "GLS_DE", "GLS_FR",
    "GLS_IT", "GLS_ES", "GLS_NL", "SF_EXPRESS", "CJ_LOGISTICS", "POSTI", "ONTRAC", "PUROLATOR", "CANADA_POST",
    "CANPAR", "FOUR_PX_EXPRESS", "CHINA_POST", "EMS_CN", "YANWEN_CN", "SFC_EXPRESS", "WINIT", "ROYAL_MAIL",
    "PARCELFORCE", "YODEL", "HERMESWORLD_UK", "MYHERMES", "COLLECTPLUS", "UK_MAIL", "AN_POST", "DEUTSCHE_DE",
    "HERMES_DE", "LAPOSTE", "COLIPOSTE", "CHRONOPOST_FR", "MONDIAL", "POSTNL", "POSTNL_INT", "BPOST",
    "BPOST_INT", "POSTE_ITALIANE", "BRT_IT", "SDA_IT", "CORREOS_ES", "SEUR_ES", "CTT_PT", "SWISS_POST",
    "AUSTRIAN_POST", "POCZTA_POLSKA", "INPOST_PACZKOMATY", "RUSSIAN_POST", "ELTA_GR", "JAPAN_POST", "JP_POST",
    "YAMATO", "SAGAWA", "KOREA_POST", "HK_POST", "SINGPOST", "THAILAND_POST", "MALAYSIA_POST", "VIETNAM_POST",
    "CHUNGHWA_POST", "INDIA_POST", "BLUEDART", "AUSTRALIA_POST", "STARTRACK", "SENDLE", "NZ_POST",
    "CORREOS_MX", "ESTAFETA", "CORREOS_BR", "ISRAEL_POST", "EMIRATES_POST", "POSTEN_NORGE", "PTT_POST",
    "NOVA_POSHTA", "ASENDIA", "ASENDIA_US", "ASENDIA_UK", "LANDMARK_GLOBAL", "UPS_MI", "RRDONNELLEY",
    "GLOBEGISTICS", "AIRBORNE_EXPRESS",
})
