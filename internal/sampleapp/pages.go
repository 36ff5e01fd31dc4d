package sampleapp

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
)

//go:embed templates
var templateFS embed.FS

// pages holds one parsed template per page, each joined with the layout.
type pages struct {
	css  template.CSS
	byID map[string]*template.Template
}

// pageData is what every page template sees; each page uses a few of the
// fields.
type pageData struct {
	Title    string
	Section  string
	CSS      template.CSS
	CSRF     string
	SignedIn bool
	User     string
	Flash    flash
	Error    string

	Username string // login: typed before, shown again

	Users []userRow // users page
	Roles []string
	Seats int
	Used  int

	RoleRows []roleRow // roles page
}

type userRow struct {
	Email, Name, Role string
}

type roleRow struct {
	Key, Label string
	Count      int
}

func parsePages() (*pages, error) {
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		return nil, err
	}
	p := &pages{css: template.CSS(css), byID: map[string]*template.Template{}}
	for _, name := range []string{"login", "totp", "users", "roles", "password"} {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("sampleapp: parsing page %s: %w", name, err)
		}
		p.byID[name] = t
	}
	return p, nil
}

// render writes a page. It renders into a buffer first so a template error
// becomes a clean 500, not half a page.
func (p *pages) render(w http.ResponseWriter, status int, name string, d pageData) {
	d.CSS = p.css
	var buf bytes.Buffer
	if err := p.byID[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		slog.Error("sampleapp: rendering page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
