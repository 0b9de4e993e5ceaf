//! Team rounds from the lead's side (open, tokens, k, import, close,
//! reopen, status) and the respondent's (answer with a token).
//!
//! The round rules themselves (what is refused when) are checked by the
//! store inside its transactions and come back typed ([`AppError`]); this
//! module adds what spans more than one step: tokens drawn from the given
//! random source and handed out once, the open actions to review before a
//! round, the warning before closing below k, and the respondent's view of
//! the round they were invited to.

use std::collections::BTreeSet;
use std::sync::Arc;

use asyncmm_core::plan::Action;
use asyncmm_core::{Answers, K, Mode, NewRound, Round, RoundState, TeamName, Token, TokenHash};
use asyncmm_model::Model;
use asyncmm_report::team::RoundMeta;
use asyncmm_store::{Listed, StoreError, SubmitOutcome, Window};

use crate::input::import;
use crate::models::{LoadedModel, shared_model, stored_model};
use crate::plans::parse_day;
use crate::{App, AppError, Random};

/// The most tokens one request issues: enough for any team, small enough
/// that a slip (`--count 100000000`) can't fill the disk.
pub const MAX_TOKENS_PER_REQUEST: u32 = 10_000;

/// A round just opened, with the tokens to hand out (shown once, never
/// stored) and the team's open actions to review.
#[derive(Debug)]
pub struct OpenedRound {
    pub round: Round,
    pub tokens: Vec<Token>,
    pub open_actions: Vec<Action>,
}

/// What to know before closing a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseCheck {
    pub round: Round,
    /// The round has fewer than k responses: once closed (and sealed) its
    /// result stays hidden; it can still be reopened for more answers until
    /// a result is shown.
    pub below_k: bool,
}

impl CloseCheck {
    /// The warning to show before closing, if any. Only counts: while a
    /// round is open nothing else about its answers may be shown.
    pub fn warning(&self) -> Option<String> {
        self.below_k.then(|| {
            format!(
                "round {} has {} of the {} responses its result needs (k = {}): once closed, nothing of it is shown \
                 — no level, no spread, no statement — and it takes no part in roll-ups. Reopen it later to \
                 collect more answers (possible until a result is shown).",
                self.round.id, self.round.responses, self.round.k, self.round.k
            )
        })
    }
}

/// The round a respondent's token is for: what the respondent sees before
/// answering.
#[derive(Debug)]
pub struct Invitation {
    pub round: Round,
    pub team: TeamName,
    pub model: Arc<Model>,
    /// The token answered before (while the round is open): new answers
    /// replace the earlier ones.
    pub answered_before: bool,
    /// Those earlier answers, to fill in the questionnaire again; only the
    /// token's holder has them.
    pub answers: Option<Answers>,
}

/// The round a shared link is for, as the link's page introduces it.
#[derive(Debug)]
pub struct SharedRound {
    pub round: Round,
    pub team: TeamName,
}

impl SharedRound {
    /// What a shared link can't do, said on its page: it tells browsers
    /// apart, not people.
    pub const NOTICE: &'static str = "This is a shared link: everyone who opens it gets their own anonymous \
         answer link, and this browser keeps yours in a cookie so you come back to your own answers. A shared \
         link can't stop one person answering twice (from another browser, device or private window): please \
         answer once.";
}

/// Seconds a respondent needs per question, roughly: a statement is read
/// and rated in about ten seconds; a quick-mode area means reading four
/// levels' statements first.
const SECONDS_PER_STATEMENT: usize = 10;
const SECONDS_PER_AREA: usize = 45;

impl Invitation {
    /// Questions the round asks: one per area (quick) or per statement
    /// (detailed).
    pub fn questions(&self) -> usize {
        match self.round.mode {
            Mode::Quick => self.model.areas.len(),
            Mode::Detailed => self.model.statement_count(),
        }
    }

    /// Rough minutes to answer, at least one.
    pub fn minutes(&self) -> usize {
        let seconds = match self.round.mode {
            Mode::Quick => self.questions() * SECONDS_PER_AREA,
            Mode::Detailed => self.questions() * SECONDS_PER_STATEMENT,
        };
        seconds.div_ceil(60).max(1)
    }

    /// The one paragraph a respondent reads before the first question, on
    /// the terminal and the web alike: who asks (team, round), how long it
    /// takes, what "don't know" is for, and the anonymity promise.
    pub fn intro(&self) -> String {
        let round = &self.round;
        let (what, dont_know) = match round.mode {
            Mode::Quick => (
                format!(
                    "{} areas, one question each: pick the level that fits your team best",
                    self.questions()
                ),
                "There is no \"don't know\" in quick mode: pick the level closest to what you see day to day.",
            ),
            Mode::Detailed => (
                format!("{} statements: say how true each is for your team", self.questions()),
                "Answer \"don't know\" (?) when you can't judge a statement: it is left out of the result \
                 rather than counted as a guess.",
            ),
        };
        let again = if self.answered_before {
            " You answered before: your new answers replace the earlier ones."
        } else {
            ""
        };
        format!(
            "Team {} asks you to answer round {} ({} mode): {what}, about {} minutes. {dont_know} Your answers \
             are stored without your name. The team sees a result only after the round closes and only if at \
             least {} people answered (k = {}); nobody, the person who asked included, sees your answers on \
             their own. You can change them with the same token until the round closes.{again}",
            self.team,
            round.id,
            round.mode,
            self.minutes(),
            round.k,
            round.k
        )
    }
}

fn draw_tokens(count: u32, random: &mut dyn Random) -> Result<Vec<Token>, AppError> {
    if count > MAX_TOKENS_PER_REQUEST {
        return Err(AppError::invalid(
            "token count",
            format!("{count} is more than the {MAX_TOKENS_PER_REQUEST} tokens one request may issue"),
        ));
    }
    let mut tokens = Vec::with_capacity(count as usize);
    let mut seen = BTreeSet::new();
    while tokens.len() < count as usize {
        let mut bytes = [0u8; Token::BYTES];
        random.fill(&mut bytes)?;
        let token = Token::from_random_bytes(bytes);
        // 160 random bits never repeat in practice; a broken source could.
        if seen.insert(token.hash()) {
            tokens.push(token);
        }
    }
    Ok(tokens)
}

fn hashes(tokens: &[Token]) -> Vec<TokenHash> {
    tokens.iter().map(Token::hash).collect()
}

impl App<'_> {
    /// Opens a round for a team of the organisation and issues `tokens`
    /// respondent tokens. `closes` is an optional closing date (the round
    /// closes after that day).
    #[allow(clippy::too_many_arguments)]
    pub async fn open_round(
        &self,
        team: &str,
        mode: Mode,
        k: i64,
        closes: Option<&str>,
        tokens: u32,
        model: &LoadedModel,
        random: &mut dyn Random,
    ) -> Result<OpenedRound, AppError> {
        let team = self.org_team(team).await?.name;
        let k = K::new(k).map_err(|e| AppError::invalid("k", e))?;
        let closes_on = closes.map(|c| parse_day("closing date", c)).transpose()?;
        if let Some(date) = closes_on
            && date < self.today
        {
            return Err(AppError::invalid("closing date", format!("{date} is in the past")));
        }
        let tokens = draw_tokens(tokens, random)?;
        let open_actions = self.open_actions(&team).await?;
        crate::models::register(self.store, model).await?;
        let round = self
            .store
            .open_round(
                &NewRound {
                    team,
                    model: model.reference(),
                    mode,
                    k,
                    opens_on: self.today,
                    closes_on,
                },
                &hashes(&tokens),
            )
            .await?;
        Ok(OpenedRound {
            round,
            tokens,
            open_actions,
        })
    }

    /// Issues more tokens for a round that is open and takes tokens.
    pub async fn issue_tokens(
        &self,
        id: i64,
        count: u32,
        random: &mut dyn Random,
    ) -> Result<(Round, Vec<Token>), AppError> {
        let round = self.round(id).await?;
        if round.state(self.today) == RoundState::Closed {
            return Err(AppError::Conflict(format!(
                "round {id} is closed: reopen it before issuing tokens"
            )));
        }
        let tokens = draw_tokens(count, random)?;
        self.store.add_tokens(round.id, &hashes(&tokens)).await?;
        Ok((round, tokens))
    }

    pub async fn set_k(&self, id: i64, k: i64) -> Result<Round, AppError> {
        let k = K::new(k).map_err(|e| AppError::invalid("k", e))?;
        let round = self.round(id).await?;
        Ok(self.store.set_round_k(round.id, k).await?)
    }

    /// What closing the round now would mean (see [`CloseCheck::warning`]).
    pub async fn close_check(&self, id: i64) -> Result<CloseCheck, AppError> {
        let round = self.round(id).await?;
        let below_k = !round.k.allows(round.responses);
        Ok(CloseCheck { round, below_k })
    }

    /// Closes the round today and seals it: no answer can be given or
    /// changed any more, and no token is linked to a response.
    pub async fn close_round(&self, id: i64) -> Result<Round, AppError> {
        let round = self.round(id).await?;
        Ok(self.store.close_round(round.id, self.today).await?)
    }

    pub async fn reopen_round(&self, id: i64) -> Result<Round, AppError> {
        let round = self.round(id).await?;
        Ok(self.store.reopen_round(round.id, self.today).await?)
    }

    /// Imports responses collected in a form tool: the file's text, named
    /// by `file` (CSV unless it ends in `.json`), all or nothing.
    pub async fn import_responses(
        &self,
        id: i64,
        text: &str,
        file: &str,
        ignored_columns: &BTreeSet<String>,
    ) -> Result<usize, AppError> {
        let round = self.round(id).await?;
        let model = stored_model(self.store, &round.model).await?;
        let is_json = std::path::Path::new(file)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let responses = if is_json {
            import::parse_json(text, file, &model, round.mode)?
        } else {
            import::parse_csv(text, file, &model, round.mode, ignored_columns)?
        };
        Ok(self.store.import_responses(round.id, &responses, self.today).await?)
    }

    /// One window of a team's rounds, newest first, read by the database
    /// (a team's list grows by a round a quarter, for years), with the
    /// number of its rounds.
    pub async fn round_window(&self, team: &str, window: Window) -> Result<Listed<RoundMeta>, AppError> {
        let team = self.org_team(team).await?;
        let listed = self.store.rounds_window(&team.name, window).await?;
        Ok(Listed {
            items: listed.items.iter().map(|r| self.round_meta(r)).collect(),
            total: listed.total,
        })
    }

    /// A round as a list or status line shows it: counts only.
    pub fn round_meta(&self, round: &Round) -> RoundMeta {
        RoundMeta::of(round, self.today)
    }

    pub async fn round_status(&self, id: i64) -> Result<RoundMeta, AppError> {
        let round = self.round(id).await?;
        Ok(self.round_meta(&round))
    }

    pub async fn round_list(&self, team: Option<&str>) -> Result<Vec<RoundMeta>, AppError> {
        let rounds = match team {
            Some(name) => {
                let team = self.org_team(name).await?;
                self.store.rounds(Some(&team.name)).await?
            }
            None => self.store.rounds(None).await?,
        };
        Ok(rounds.iter().map(|r| self.round_meta(r)).collect())
    }

    /// The round a token invites to answer, if it may still answer.
    pub async fn invitation(&self, token: &str) -> Result<Invitation, AppError> {
        let token = Token::parse(token).map_err(|_| AppError::TokenUnknown)?;
        let asyncmm_store::TokenRound { status, round, answers } = match self.store.token_round(&token.hash()).await {
            Ok(found) => found,
            Err(StoreError::NotFound(_)) => return Err(AppError::TokenUnknown),
            Err(e) => return Err(e.into()),
        };
        if round.state(self.today) == RoundState::Closed || self.today < round.opens_on {
            return Err(AppError::RoundClosed(asyncmm_store::Refusal::RoundClosed {
                round: round.id,
            }));
        }
        if status.spent {
            return Err(AppError::TokenSpent(asyncmm_store::Refusal::TokenSpent {
                round: round.id,
            }));
        }
        let model = shared_model(self.store, &round.model).await?;
        Ok(Invitation {
            team: round.team.clone(),
            round,
            model,
            answered_before: status.answered,
            answers,
        })
    }

    /// Gives an open round one shared link instead of (or besides) personal
    /// links: returns the link's secret, shown once and stored only as a
    /// hash. A new secret replaces the round's earlier one, which stops
    /// working; closing the round stops it too.
    pub async fn share_round(&self, id: i64, random: &mut dyn Random) -> Result<Token, AppError> {
        let round = self.round(id).await?;
        if round.state(self.today) == RoundState::Closed {
            return Err(AppError::Conflict(format!(
                "round {id} is closed: reopen it before giving it a shared link"
            )));
        }
        let secret = draw_tokens(1, random)?
            .pop()
            .ok_or_else(|| AppError::Conflict("no random secret could be drawn".to_string()))?;
        self.store.set_shared_link(round.id, &secret.hash(), self.today).await?;
        Ok(secret)
    }

    /// The round a shared link is for, while the link still works: an
    /// unknown or replaced secret is [`AppError::SharedLinkUnknown`], a
    /// round that is closed (or not open yet) [`AppError::RoundClosed`].
    pub async fn shared_round(&self, secret: &str) -> Result<SharedRound, AppError> {
        let secret = Token::parse(secret).map_err(|_| AppError::SharedLinkUnknown)?;
        let id = match self.store.round_for_shared_link(&secret.hash()).await {
            Ok(id) => id,
            Err(StoreError::NotFound(_)) => return Err(AppError::SharedLinkUnknown),
            Err(e) => return Err(e.into()),
        };
        let round = self.store.round(id).await?;
        if round.state(self.today) == RoundState::Closed || self.today < round.opens_on {
            return Err(AppError::RoundClosed(asyncmm_store::Refusal::RoundClosed {
                round: round.id,
            }));
        }
        Ok(SharedRound {
            team: round.team.clone(),
            round,
        })
    }

    /// The respondent token a browser that opened a shared link got
    /// before (`kept`, e.g. from its cookie), while that token is of this
    /// link's round and may still answer.
    pub async fn kept_shared_token(&self, shared: &SharedRound, kept: Option<&str>) -> Result<Option<Token>, AppError> {
        let Some(kept) = kept.and_then(|k| Token::parse(k).ok()) else {
            return Ok(None);
        };
        match self.store.token_status(&kept.hash()).await {
            Ok(status) if status.round == shared.round.id && !status.spent => Ok(Some(kept)),
            Ok(_) | Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Issues a fresh respondent token through a shared link (its secret):
    /// an anonymous token of the link's round, like a personal one.
    pub async fn issue_shared_token(&self, secret: &str, random: &mut dyn Random) -> Result<Token, AppError> {
        let shared = self.shared_round(secret).await?;
        let token = draw_tokens(1, random)?
            .pop()
            .ok_or_else(|| AppError::Conflict("no random token could be drawn".to_string()))?;
        self.store.add_tokens(shared.round.id, &[token.hash()]).await?;
        Ok(token)
    }

    /// Stores a respondent's answers (replacing earlier ones of the same
    /// token while the round is open).
    pub async fn respond(&self, token: &str, answers: &Answers) -> Result<SubmitOutcome, AppError> {
        let invitation = self.invitation(token).await?;
        self.respond_to(&invitation, token, answers).await
    }

    /// [`App::respond`] for an invitation already read. The store checks
    /// again, inside its write transaction, that the token belongs to the
    /// round, may still answer and that the round is open.
    async fn respond_to(
        &self,
        invitation: &Invitation,
        token: &str,
        answers: &Answers,
    ) -> Result<SubmitOutcome, AppError> {
        let round = &invitation.round;
        if answers.mode() != round.mode {
            return Err(AppError::invalid(
                "answers",
                format!(
                    "this round asks for {} answers, these are {} answers",
                    round.mode,
                    answers.mode()
                ),
            ));
        }
        let token = Token::parse(token).map_err(|_| AppError::TokenUnknown)?;
        match self
            .store
            .submit_response(round.id, &token.hash(), answers, self.today)
            .await
        {
            Ok(outcome) => Ok(outcome),
            Err(StoreError::NotFound(_)) => Err(AppError::TokenUnknown),
            Err(e) => Err(e.into()),
        }
    }

    /// The answers this token gave so far (while its round is open), to
    /// fill in the questionnaire again; only the token's holder has it.
    pub async fn own_answers(&self, token: &str) -> Result<Option<Answers>, AppError> {
        Ok(self.invitation(token).await?.answers)
    }

    /// Saves one page of the questionnaire for the `invitation` of `token`
    /// (as [`App::invitation`] gave it, so the page could be read with its
    /// model): the page's answers laid over the ones the token gave
    /// before, stored at once so a closed tab loses nothing. A page that
    /// adds no real answer to nothing stored is not saved (`None`): a
    /// response needs at least one answer.
    ///
    /// The invitation (with the token's earlier answers) is not read again:
    /// a save is the web server's most frequent request, and the store
    /// refuses a token of another round, a spent token or a closed round
    /// inside its write transaction anyway.
    pub async fn save_page(
        &self,
        invitation: &Invitation,
        token: &str,
        page: Answers,
    ) -> Result<Option<SubmitOutcome>, AppError> {
        let merged = crate::input::form::merge(invitation.answers.clone(), page);
        if merged.is_blank() {
            return Ok(None);
        }
        self.respond_to(invitation, token, &merged).await.map(Some)
    }
}
